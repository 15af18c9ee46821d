/**
 * VCR: a question about one object, 4 candidate answers ("it is red") and 4 candidate
 * rationales for the correct answer ("because it is large and left of the cube").
 *
 * Distractor answers are values of the same attribute type, taken first from other objects of
 * the scene (so "which colours are present" does not help). Distractor rationales state facts
 * that hold for another object of the scene but not for the questioned one.
 */
import type { Rng } from '../rng';
import type { GenerateOptions, TaskDataSource, VcrExample } from './types';
import { checkOptions, examplesOf, generateSplits, repeat, sampleScene, toInput, type SceneKnobs } from './common';
import { ATTR_VALUES, type AttrType, type SceneObject } from './world';
import {
  RELATIONS,
  byAttrsOf,
  indefinite,
  relationHolds,
  relationWords,
  renderRef,
  uniqueRef,
  type Ref,
  type RefStyle,
} from './refer';
import { encodeWords } from './vocab';
import { wrongValue } from './facts';

/** Difficulty knobs of VCR. */
export const VCR_KNOBS = {
  scene: { minObjects: 3, featureNoise: 0.6, shareProb: 0.5 } as SceneKnobs,
  /** asked attribute types: size has only 3 values, too few for 4 distinct answers. */
  askTypes: ['colour', 'shape', 'material'] as AttrType[],
  ref: { attrWeight: 1, extremeWeight: 0.2, relationWeight: 0.3 } as RefStyle,
  /** probability that a distractor answer is a value seen on another object (else any wrong value). */
  sceneDistractorProb: 0.8,
  /** facts per rationale. */
  factsPerRationale: 2,
};

const TASK_SALT = 0x1003;
/** question + answer + rationale + 2 separators must fit (longer draws are rejected). */
const MIN_TEXT = 22;

/** A checkable fact about an object: an attribute value or a relation to a named anchor. */
type Fact =
  { kind: 'attr'; type: AttrType; value: number } | { kind: 'rel'; type: (typeof RELATIONS)[number]; anchor: number };

function holds(f: Fact, objects: SceneObject[], i: number): boolean {
  if (f.kind === 'attr') return objects[i][f.type] === f.value;
  return f.anchor !== i && relationHolds(f.type, objects[i], objects[f.anchor]);
}

function factWords(f: Fact, anchors: Anchors): string[] {
  if (f.kind === 'attr') {
    const w = ATTR_VALUES[f.type][f.value];
    return f.type === 'shape' ? indefinite([w]) : [w];
  }
  return [...relationWords(f.type), ...renderRef(anchors[f.anchor] as Ref)];
}

/** Each object's shortest unique attribute description (null: it cannot be an anchor). */
type Anchors = ReadonlyArray<Ref | null>;

/** What a fact talks about: two facts on the same slot in one rationale would contradict visibly. */
function slot(f: Fact): string {
  return f.kind === 'attr' ? f.type : `anchor${f.anchor}`;
}

/**
 * Facts true of object i that a rationale may state: never the asked attribute type and never
 * the types the question already names (else the right rationale could be found by matching
 * words with the question instead of looking at the regions).
 */
function factsOf(objects: SceneObject[], anchors: Anchors, i: number, banned: ReadonlySet<AttrType>): Fact[] {
  const facts: Fact[] = ALL_TYPES.filter((t) => !banned.has(t)).map((t) => ({
    kind: 'attr',
    type: t,
    value: objects[i][t],
  }));
  for (let a = 0; a < objects.length; a++) {
    if (a === i || !anchors[a]) continue;
    for (const type of RELATIONS)
      if (relationHolds(type, objects[i], objects[a])) facts.push({ kind: 'rel', type, anchor: a });
  }
  return facts;
}

/** Plausible false facts about i: true of another object, or one of i's facts with a wrong value / flipped relation. */
function falseFactsOf(
  rng: Rng,
  objects: SceneObject[],
  anchors: Anchors,
  i: number,
  banned: ReadonlySet<AttrType>,
): Fact[] {
  const out: Fact[] = [];
  for (let j = 0; j < objects.length; j++) if (j !== i) out.push(...factsOf(objects, anchors, j, banned));
  for (const f of factsOf(objects, anchors, i, banned)) {
    if (f.kind === 'attr') out.push({ ...f, value: wrongValue(rng, objects, objects[i], f.type) });
    else out.push({ ...f, type: FLIP[f.type] });
  }
  // "it is left of <itself>" would be false from the text alone
  return out.filter((f) => !holds(f, objects, i) && !(f.kind === 'rel' && f.anchor === i));
}

const ALL_TYPES: readonly AttrType[] = ['size', 'colour', 'material', 'shape'];
const FLIP = { left: 'right', right: 'left', above: 'below', below: 'above' } as const;

function rationaleWords(facts: Fact[], anchors: Anchors): string[] {
  const words = ['because', 'it', 'is'];
  facts.forEach((f, k) => words.push(...(k ? ['and'] : []), ...factWords(f, anchors)));
  return words;
}

export interface VcrDetailed {
  example: VcrExample;
  objects: SceneObject[];
  target: number;
}

function makeOne(rng: Rng, opts: GenerateOptions, answerLabel: number, rationaleLabel: number): VcrDetailed | null {
  const objects = sampleScene(rng, VCR_KNOBS.scene, opts.maxRegions);
  const i = rng.int(objects.length);
  const t = rng.pick(VCR_KNOBS.askTypes);
  const ref = uniqueRef(rng, objects, i, { ...VCR_KNOBS.ref, types: ALL_TYPES.filter((x) => x !== t) });
  if (!ref) return null;
  const question = ['what', t, 'is', ...renderRef(ref)];

  // answers: the true value plus three wrong ones, scene values first
  const truth = objects[i][t];
  const seen = rng.shuffle([...new Set(objects.map((o) => o[t]).filter((v) => v !== truth))]);
  const rest = rng.shuffle(ATTR_VALUES[t].map((_, v) => v).filter((v) => v !== truth && !seen.includes(v)));
  const wrong: number[] = [];
  while (wrong.length < 3) {
    const fromScene = seen.length > 0 && (rng.next() < VCR_KNOBS.sceneDistractorProb || rest.length === 0);
    wrong.push((fromScene ? seen : rest).shift() as number);
  }
  const values = [...wrong];
  values.splice(answerLabel, 0, truth);
  const answerWords = (v: number): string[] => [
    'it',
    'is',
    ...(t === 'shape' ? indefinite([ATTR_VALUES.shape[v]]) : [ATTR_VALUES[t][v]]),
  ];

  // rationales: true facts about object i; each distractor states at least one false fact
  const k = VCR_KNOBS.factsPerRationale;
  const banned = new Set<AttrType>([t, ...(Object.keys(ref.attrs) as AttrType[])]);
  const anchors = objects.map((_, a) => byAttrsOf(objects, a));
  const trueFacts = rng.shuffle(factsOf(objects, anchors, i, banned));
  const falseFacts = rng.shuffle(falseFactsOf(rng, objects, anchors, i, banned));
  if (trueFacts.length < k || falseFacts.length < 3) return null;
  // rationales must fit beside the question and the longest answer: draw again rather than clip
  const budget = opts.maxTextLength - 2 - question.length - (t === 'shape' ? 4 : 3);
  const fits = (f: Fact[]): boolean => rationaleWords(f, anchors).length <= budget;
  let correctFacts: Fact[] | null = null;
  for (let tries = 0; !correctFacts && tries < 10; tries++) {
    const f = tries === 0 ? trueFacts.slice(0, k) : rng.shuffle([...trueFacts]).slice(0, k);
    if (fits(f)) correctFacts = f;
  }
  if (!correctFacts) return null;
  const rationaleFacts: Fact[][] = [correctFacts];
  const texts = new Set([rationaleWords(correctFacts, anchors).join(' ')]);
  for (let tries = 0; rationaleFacts.length < 4 && tries < 30; tries++) {
    const facts = [rng.pick(falseFacts)];
    for (let g = 0; facts.length < k && g < 10; g++) {
      const f = rng.pick(rng.next() < 0.5 ? trueFacts : falseFacts);
      if (!facts.some((x) => slot(x) === slot(f))) facts.push(f);
    }
    if (facts.length < k || !fits(facts)) continue;
    const text = rationaleWords(rng.shuffle(facts), anchors).join(' ');
    if (!texts.has(text)) {
      texts.add(text);
      rationaleFacts.push(facts);
    }
  }
  if (rationaleFacts.length < 4) return null;
  const correct = rationaleFacts.shift() as Fact[];
  rationaleFacts.splice(rationaleLabel, 0, correct);

  const answers = values.map(answerWords);
  const rationales = rationaleFacts.map((f) => rationaleWords(f, anchors));
  const longest =
    question.length + Math.max(...answers.map((a) => a.length)) + Math.max(...rationales.map((r) => r.length)) + 2;
  if (longest > opts.maxTextLength) return null;
  const example: VcrExample = {
    scene: toInput(objects, opts, VCR_KNOBS.scene, rng),
    question: encodeWords(question),
    answers: answers.map(encodeWords),
    answerLabel,
    rationales: rationales.map(encodeWords),
    rationaleLabel,
  };
  return { example, objects, target: i };
}

export function generateVcrDetailed(opts: GenerateOptions) {
  checkOptions(opts, MIN_TEXT, 3);
  return generateSplits(opts, TASK_SALT, (rng, n) => {
    // correct positions exactly balanced over the 4 choices, independently for answers and rationales
    const answerAt = rng.shuffle(Array.from({ length: n }, (_, i) => i % 4));
    const rationaleAt = rng.shuffle(Array.from({ length: n }, (_, i) => i % 4));
    let k = 0;
    return repeat(
      rng,
      n,
      (r) => {
        const x = makeOne(r, opts, answerAt[k], rationaleAt[k]);
        if (x) k++;
        return x;
      },
      'a VCR example',
    );
  });
}

export const vcrSource: TaskDataSource<'VCR'> = {
  kind: 'VCR',
  numAnswers: 0,
  defaultSizes: { train: 1500, val: 300, test: 300 },
  generate: (opts) => examplesOf(generateVcrDetailed(opts)),
};
