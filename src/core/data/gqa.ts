/**
 * GQA: compositional and relational questions whose answer needs two grounded objects and a
 * spatial relation between their boxes. One answer class per question (accuracy).
 */
import type { Rng } from '../rng';
import type { GenerateOptions, GqaExample, TaskDataSource } from './types';
import {
  checkOptions,
  examplesOf,
  generateSplits,
  repeat,
  sampleScene,
  toInput,
  weighted,
  type SceneKnobs,
} from './common';
import { ATTR_TYPES, attrWord, type AttrType, type SceneObject } from './world';
import {
  RELATIONS,
  indefinite,
  matchesAttrs,
  nounPhrase,
  relationHolds,
  relationWords,
  renderRef,
  resolve,
  uniqueRef,
  type Ref,
  type RefStyle,
} from './refer';
import { randomTypes } from './facts';
import { NUM_ANSWERS, answerId, encodeWords } from './vocab';

/** Difficulty knobs of GQA. */
export const GQA_KNOBS = {
  scene: { minObjects: 3, featureNoise: 0.6, shareProb: 0.4 } as SceneKnobs,
  questions: { relationalAttribute: 0.45, relationChoice: 0.2, sameAttribute: 0.15, relationalExist: 0.2 },
  /** how the objects that a question compares are named. */
  ref: { attrWeight: 1, extremeWeight: 0.2, relationWeight: 0 } as RefStyle,
};

const TASK_SALT = 0x1002;
/** "what colour is the thing left of the small red cube" and friends, well under 20 words. */
const MIN_TEXT = 20;

interface Question {
  words: string[];
  answer: string;
}

/** "what colour is the thing left of the red cube" */
function relationalAttribute(rng: Rng, objects: SceneObject[]): Question | null {
  const i = rng.int(objects.length);
  const t = rng.pick(ATTR_TYPES);
  const ref = uniqueRef(rng, objects, i, {
    attrWeight: 0,
    extremeWeight: 0,
    relationWeight: 1,
    types: ATTR_TYPES.filter((x) => x !== t),
  });
  if (!ref) return null;
  return { words: ['what', t, 'is', ...renderRef(ref)], answer: attrWord(objects[i], t) };
}

function twoRefs(rng: Rng, objects: SceneObject[], types?: readonly AttrType[]): [number, Ref, number, Ref] | null {
  const a = rng.int(objects.length);
  let b = rng.int(objects.length - 1);
  if (b >= a) b++;
  const ra = uniqueRef(rng, objects, a, { ...GQA_KNOBS.ref, types });
  const rb = uniqueRef(rng, objects, b, { ...GQA_KNOBS.ref, types });
  return ra && rb ? [a, ra, b, rb] : null;
}

/** "is the red cube left or right of the sphere" */
function relationChoice(rng: Rng, objects: SceneObject[]): Question | null {
  const refs = twoRefs(rng, objects);
  if (!refs) return null;
  const [a, ra, b, rb] = refs;
  const horizontal = rng.next() < 0.5;
  const [p, q] = horizontal ? (['left', 'right'] as const) : (['above', 'below'] as const);
  const answer = relationHolds(p, objects[a], objects[b]) ? p : q;
  const words = horizontal
    ? ['is', ...renderRef(ra), 'left', 'or', 'right', 'of', ...renderRef(rb)]
    : ['is', ...renderRef(ra), 'above', 'or', 'below', ...renderRef(rb)];
  return { words, answer };
}

/** "are the cube and the small sphere the same colour" (balanced yes/no) */
function sameAttribute(rng: Rng, objects: SceneObject[]): Question | null {
  const t = rng.pick(ATTR_TYPES);
  const others = ATTR_TYPES.filter((x) => x !== t);
  const refs = twoRefs(rng, objects, others);
  if (!refs) return null;
  const [a, ra, b, rb] = refs;
  const same = objects[a][t] === objects[b][t];
  // keep yes/no balanced: most random pairs differ, so accept "no" only half the time
  if (!same && rng.next() < 0.6) return null;
  return { words: ['are', ...renderRef(ra), 'and', ...renderRef(rb), 'the', 'same', t], answer: same ? 'yes' : 'no' };
}

/** "is there a red thing left of the cube": the "no" cases use attributes present elsewhere. */
function relationalExist(rng: Rng, objects: SceneObject[]): Question | null {
  const a = rng.int(objects.length);
  const anchor = uniqueRef(rng, objects, a, GQA_KNOBS.ref);
  if (!anchor) return null;
  const type = rng.pick(RELATIONS);
  const inRel = objects.map((o, i) => i !== a && relationHolds(type, o, objects[a]));
  const yes = rng.next() < 0.5;
  const pool = objects.map((_, i) => i).filter((i) => i !== a && inRel[i] === yes);
  if (pool.length === 0) return null;
  const src = objects[rng.pick(pool)];
  const attrs: Partial<Record<AttrType, number>> = {};
  for (const t of randomTypes(rng, 1, 2)) attrs[t] = src[t];
  const exists = objects.some((o, i) => inRel[i] && matchesAttrs(o, attrs));
  if (exists !== yes) return null;
  if (resolve(anchor, objects)[0] !== a) return null;
  return {
    words: ['is', 'there', ...indefinite(nounPhrase(attrs)), ...relationWords(type), ...renderRef(anchor)],
    answer: yes ? 'yes' : 'no',
  };
}

const MAKERS: Record<keyof typeof GQA_KNOBS.questions, (rng: Rng, o: SceneObject[]) => Question | null> = {
  relationalAttribute,
  relationChoice,
  sameAttribute,
  relationalExist,
};

export interface GqaDetailed {
  example: GqaExample;
  objects: SceneObject[];
  kind: string;
}

export function generateGqaDetailed(opts: GenerateOptions) {
  checkOptions(opts, MIN_TEXT, 3);
  return generateSplits(opts, TASK_SALT, (rng, n) =>
    repeat<GqaDetailed>(
      rng,
      n,
      (r) => {
        const objects = sampleScene(r, GQA_KNOBS.scene, opts.maxRegions);
        const kind = weighted(r, GQA_KNOBS.questions);
        const q = MAKERS[kind](r, objects);
        if (!q || q.words.length > opts.maxTextLength) return null;
        const example: GqaExample = {
          scene: toInput(objects, opts, GQA_KNOBS.scene, r),
          question: encodeWords(q.words),
          answer: answerId(q.answer),
        };
        return { example, objects, kind };
      },
      'a GQA question',
    ),
  );
}

export const gqaSource: TaskDataSource<'GQA'> = {
  kind: 'GQA',
  numAnswers: NUM_ANSWERS,
  defaultSizes: { train: 1500, val: 300, test: 300 },
  generate: (opts) => examplesOf(generateGqaDetailed(opts)),
};
