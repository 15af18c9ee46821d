/**
 * SNLI-VE: does the scene entail, contradict, or leave undetermined a hypothesis?
 *
 * The same sentence forms occur in all three classes, so the label depends on the regions:
 * "the sphere is red" is entailed (the one sphere is red), contradicted (the one sphere is blue)
 * or neutral (two spheres, one red and one not: which one is meant cannot be told). A knob-set
 * share of neutrals instead state an unobservable property ("the red cube is heavy").
 */
import type { Rng } from '../rng';
import type { GenerateOptions, SnliVeExample, TaskDataSource } from './types';
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
import { ATTR_TYPES, ATTR_VALUES, type SceneObject } from './world';
import {
  byAttrsOf,
  countMatching,
  indefinite,
  matchesAttrs,
  nounPhrase,
  pickAttrs,
  relationHolds,
  relationWords,
  renderRef,
  type Relation,
} from './refer';
import { absentDesc, presentDesc, randomTypes, wrongValue } from './facts';
import { NUMBER_WORDS, UNOBSERVABLE, encodeWords } from './vocab';

export const ENTAILMENT = 0;
export const NEUTRAL = 1;
export const CONTRADICTION = 2;

/** Difficulty knobs of SNLI-VE. */
export const SNLI_VE_KNOBS = {
  scene: { minObjects: 3, featureNoise: 0.6, shareProb: 0.5 } as SceneKnobs,
  /** sentence forms for entailment / contradiction. */
  forms: { exists: 0.3, attribute: 0.35, count: 0.15, relation: 0.2 },
  /** share of neutral hypotheses about an unobservable property (answerable from text alone). */
  unobservableNeutral: 0.25,
};

const TASK_SALT = 0x1004;
const MIN_TEXT = 16;

type Hyp = string[] | null;

/** "the sphere is red": unique subject for E/C; for N an ambiguous subject with mixed truth. */
function attributeForm(rng: Rng, objects: SceneObject[], label: number): Hyp {
  const t = rng.pick(ATTR_TYPES.filter((x) => x !== 'shape'));
  const subjTypes = randomTypes(
    rng,
    1,
    2,
    ATTR_TYPES.filter((x) => x !== t),
  );
  const o = rng.pick(objects);
  const subj = pickAttrs(o, subjTypes);
  const group = objects.filter((x) => matchesAttrs(x, subj));
  let value: number;
  if (label === NEUTRAL) {
    if (group.length < 2) return null;
    value = o[t];
    if (group.every((x) => x[t] === value)) return null; // would be entailed whichever is meant
  } else {
    if (group.length !== 1) return null;
    value = label === ENTAILMENT ? o[t] : wrongValue(rng, objects, o, t);
  }
  return [...renderRef({ attrs: subj }), 'is', ATTR_VALUES[t][value]];
}

function existsForm(rng: Rng, objects: SceneObject[], label: number): Hyp {
  const attrs = label === ENTAILMENT ? presentDesc(rng, objects, 1, 3) : absentDesc(rng, objects, 2, 3);
  return attrs ? ['there', 'is', ...indefinite(nounPhrase(attrs))] : null;
}

function countForm(rng: Rng, objects: SceneObject[], label: number): Hyp {
  const attrs = presentDesc(rng, objects, 1, 2);
  const n = countMatching(objects, attrs);
  let m = n;
  if (label === CONTRADICTION) m = Math.max(0, n + rng.pick([-2, -1, 1, 2]));
  if (m === n && label === CONTRADICTION) return null;
  if (m >= NUMBER_WORDS.length) return null;
  return m === 1
    ? ['there', 'is', 'one', ...nounPhrase(attrs)]
    : ['there', 'are', NUMBER_WORDS[m], ...nounPhrase(attrs, true)];
}

/** "the cube is left of the red sphere" (true) / with the wrong relation (false). */
function relationForm(rng: Rng, objects: SceneObject[], label: number): Hyp {
  const a = rng.int(objects.length);
  let b = rng.int(objects.length - 1);
  if (b >= a) b++;
  const ra = byAttrsOf(objects, a);
  const rb = byAttrsOf(objects, b);
  if (!ra || !rb) return null;
  const options = (['left', 'right', 'above', 'below'] as Relation[]).filter(
    (r) => relationHolds(r, objects[a], objects[b]) === (label === ENTAILMENT),
  );
  return [...renderRef(ra), 'is', ...relationWords(rng.pick(options)), ...renderRef(rb)];
}

function unobservableForm(rng: Rng, objects: SceneObject[]): Hyp {
  const i = rng.int(objects.length);
  const ref = byAttrsOf(objects, i);
  return ref ? [...renderRef(ref), 'is', rng.pick(UNOBSERVABLE)] : null;
}

const FORMS: Record<keyof typeof SNLI_VE_KNOBS.forms, (rng: Rng, o: SceneObject[], label: number) => Hyp> = {
  exists: existsForm,
  attribute: attributeForm,
  count: countForm,
  relation: relationForm,
};

function hypothesis(rng: Rng, objects: SceneObject[], label: number): Hyp {
  if (label !== NEUTRAL) return FORMS[weighted(rng, SNLI_VE_KNOBS.forms)](rng, objects, label);
  return rng.next() < SNLI_VE_KNOBS.unobservableNeutral
    ? unobservableForm(rng, objects)
    : attributeForm(rng, objects, NEUTRAL);
}

export interface SnliVeDetailed {
  example: SnliVeExample;
  objects: SceneObject[];
}

export function generateSnliVeDetailed(opts: GenerateOptions) {
  checkOptions(opts, MIN_TEXT, 3);
  return generateSplits(opts, TASK_SALT, (rng, n) => {
    // exactly balanced classes, in a shuffled order
    const labels = rng.shuffle(Array.from({ length: n }, (_, i) => i % 3));
    let k = 0;
    return repeat<SnliVeDetailed>(
      rng,
      n,
      (r) => {
        const label = labels[k];
        const objects = sampleScene(r, SNLI_VE_KNOBS.scene, opts.maxRegions);
        const words = hypothesis(r, objects, label);
        if (!words || words.length > opts.maxTextLength) return null;
        k++;
        return {
          example: { scene: toInput(objects, opts, SNLI_VE_KNOBS.scene, r), hypothesis: encodeWords(words), label },
          objects,
        };
      },
      'an SNLI-VE hypothesis',
    );
  });
}

export const snliVeSource: TaskDataSource<'SNLI_VE'> = {
  kind: 'SNLI_VE',
  numAnswers: 3,
  defaultSizes: { train: 1500, val: 300, test: 300 },
  generate: (opts) => examplesOf(generateSnliVeDetailed(opts)),
};
