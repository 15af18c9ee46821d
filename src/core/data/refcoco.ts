/**
 * REFCOCO: a referring expression that denotes exactly one region; the target is its index.
 * Scenes are built with many shared attributes (twins), so a single word rarely suffices and the
 * expression must be matched against every region's attributes and position.
 */
import type { Rng } from '../rng';
import type { GenerateOptions, RefcocoExample, TaskDataSource } from './types';
import { checkOptions, examplesOf, generateSplits, repeat, sampleScene, toInput, type SceneKnobs } from './common';
import type { SceneObject } from './world';
import { renderRef, uniqueRef, type Ref, type RefStyle } from './refer';
import { encodeWords } from './vocab';

/** Difficulty knobs of REFCOCO. */
export const REFCOCO_KNOBS = {
  /** high shareProb: twins that differ in one attribute or only in position. */
  scene: { minObjects: 3, featureNoise: 0.6, shareProb: 0.6 } as SceneKnobs,
  /** description strategies: attributes only / "on the left|right" among matches / relation to an anchor. */
  ref: { attrWeight: 0.5, extremeWeight: 0.25, relationWeight: 0.25 } as RefStyle,
};

const TASK_SALT = 0x1005;
/** "the small red cube left of the large blue metal sphere" at most 13 words. */
const MIN_TEXT = 13;

export interface RefcocoDetailed {
  example: RefcocoExample;
  objects: SceneObject[];
  ref: Ref;
}

function makeOne(rng: Rng, opts: GenerateOptions): RefcocoDetailed | null {
  const objects = sampleScene(rng, REFCOCO_KNOBS.scene, opts.maxRegions);
  const target = rng.int(objects.length);
  const ref = uniqueRef(rng, objects, target, REFCOCO_KNOBS.ref);
  if (!ref) return null;
  const words = renderRef(ref);
  if (words.length > opts.maxTextLength) return null;
  const example = { scene: toInput(objects, opts, REFCOCO_KNOBS.scene, rng), expression: encodeWords(words), target };
  return { example, objects, ref };
}

export function generateRefcocoDetailed(opts: GenerateOptions) {
  checkOptions(opts, MIN_TEXT, 2);
  return generateSplits(opts, TASK_SALT, (rng, n) => repeat(rng, n, (r) => makeOne(r, opts), 'a referring expression'));
}

export const refcocoSource: TaskDataSource<'REFCOCO'> = {
  kind: 'REFCOCO',
  numAnswers: 0,
  defaultSizes: { train: 1500, val: 300, test: 300 },
  generate: (opts) => examplesOf(generateRefcocoDetailed(opts)),
};
