/**
 * PRETRAIN: aligned scene–caption pairs, a corpus much larger than any task's training set.
 * Captions describe objects, attributes, counts and relations with the words the tasks use, so
 * MLM (predict a masked "red" from the regions), ITM and MRM learn the word–region grounding
 * the downstream tasks need. Masking and mismatching are done by the batch builder.
 */
import type { Rng } from '../rng';
import type { GenerateOptions, PretrainExample, TaskDataSource } from './types';
import { checkOptions, examplesOf, generateSplits, repeat, sampleScene, toInput, weighted, type SceneKnobs } from './common';
import { ATTR_TYPES, ATTR_VALUES, sampleObjects, type SceneObject } from './world';
import { RELATIONS, countMatching, indefinite, nounPhrase, pickAttrs, relationHolds, relationWords, renderRef } from './refer';
import { presentDesc, randomTypes } from './facts';
import { NUMBER_WORDS, encodeWords } from './vocab';

/** Knobs of the pre-training corpus. */
export const PRETRAIN_KNOBS = {
  scene: { minObjects: 2, featureNoise: 0.6, shareProb: 0.4 } as SceneKnobs,
  clauses: { object: 0.4, relation: 0.25, count: 0.15, attribute: 0.2 },
  /** clauses per caption (joined by "and"), as many as fit in maxTextLength. */
  minClauses: 1,
  maxClauses: 3,
  /**
   * Share of pairs whose scene has only 1–2 objects. With one object, "a [MASK] cube" is
   * answered by the only region: decoding attributes from region features into word space is
   * learnt from a first-order signal, which the binding in crowded scenes (and ITM) then builds
   * on. Without such pairs a 2-layer model sat on the loss plateau of image–text matching.
   */
  smallSceneProb: 0.5,
};

const TASK_SALT = 0x1008;
const MIN_TEXT = 8;

type Clause = (rng: Rng, objects: SceneObject[]) => string[] | null;

const CLAUSES: Record<keyof typeof PRETRAIN_KNOBS.clauses, Clause> = {
  /** "a large red metal cube" */
  object: (rng, objects) => indefinite(nounPhrase(presentDesc(rng, objects, 2, 4))),
  /** "a red cube is left of a blue sphere" */
  relation(rng, objects) {
    if (objects.length < 2) return null;
    const a = rng.int(objects.length);
    let b = rng.int(objects.length - 1);
    if (b >= a) b++;
    const rel = rng.pick(RELATIONS.filter((r) => relationHolds(r, objects[a], objects[b])));
    const da = pickAttrs(objects[a], randomTypes(rng, 1, 2));
    const db = pickAttrs(objects[b], randomTypes(rng, 1, 2));
    return [...indefinite(nounPhrase(da)), 'is', ...relationWords(rel), ...indefinite(nounPhrase(db))];
  },
  /** "there are two spheres" */
  count(rng, objects) {
    const attrs = presentDesc(rng, objects, 1, 2);
    const n = countMatching(objects, attrs);
    if (n >= NUMBER_WORDS.length) return null;
    return n === 1 ? ['there', 'is', 'one', ...nounPhrase(attrs)] : ['there', 'are', NUMBER_WORDS[n], ...nounPhrase(attrs, true)];
  },
  /** "the cube is red" (subject unique in the scene) */
  attribute(rng, objects) {
    const o = rng.pick(objects);
    const t = rng.pick(ATTR_TYPES.filter((x) => x !== 'shape'));
    const subj = pickAttrs(o, randomTypes(rng, 1, 2, ATTR_TYPES.filter((x) => x !== t)));
    if (countMatching(objects, subj) !== 1) return null;
    return [...renderRef({ attrs: subj }), 'is', ATTR_VALUES[t][o[t]]];
  },
};

function caption(rng: Rng, objects: SceneObject[], maxLen: number): string[] | null {
  const want = PRETRAIN_KNOBS.minClauses + rng.int(PRETRAIN_KNOBS.maxClauses - PRETRAIN_KNOBS.minClauses + 1);
  const words: string[] = [];
  for (let k = 0, tries = 0; k < want && tries < 2 * want; tries++) {
    const c = CLAUSES[weighted(rng, PRETRAIN_KNOBS.clauses)](rng, objects);
    if (!c) continue;
    const next = words.length ? [...words, 'and', ...c] : c;
    if (next.length > maxLen) continue;
    words.splice(0, words.length, ...next);
    k++;
  }
  return words.length ? words : null;
}

export interface PretrainDetailed { example: PretrainExample; objects: SceneObject[] }

export function generatePretrainDetailed(opts: GenerateOptions) {
  checkOptions(opts, MIN_TEXT, 2);
  return generateSplits(opts, TASK_SALT, (rng, n) =>
    repeat<PretrainDetailed>(rng, n, (r) => {
      const small = r.next() < PRETRAIN_KNOBS.smallSceneProb;
      const objects = small
        ? sampleObjects(r, { count: 1 + r.int(2), shareProb: PRETRAIN_KNOBS.scene.shareProb })
        : sampleScene(r, PRETRAIN_KNOBS.scene, opts.maxRegions);
      const words = caption(r, objects, opts.maxTextLength);
      if (!words) return null;
      return { example: { scene: toInput(objects, opts, PRETRAIN_KNOBS.scene, r), caption: encodeWords(words) }, objects };
    }, 'a pre-training caption'),
  );
}

export const pretrainSource: TaskDataSource<'PRETRAIN'> = {
  kind: 'PRETRAIN',
  numAnswers: 0,
  defaultSizes: { train: 30000, val: 500, test: 500 },
  generate: (opts) => examplesOf(generatePretrainDetailed(opts)),
};
