/** Plumbing shared by the SyntheticVL generators: option checks, split seeding, rejection. */
import { Rng } from '../rng';
import { encodeScene, sampleObjects, type SceneObject } from './world';
import type { GenerateOptions, SceneInput, Splits } from './types';

const SPLITS = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

/** Per-task scene knobs. */
export interface SceneKnobs {
  minObjects: number;
  /** per-entry std of the Gaussian noise added to region features. */
  featureNoise: number;
  /** probability that an object copies attributes of an earlier one (distractors). */
  shareProb: number;
  /** most objects per scene (default maxRegions): fewer objects make a question's referent easier to find. */
  maxObjects?: number;
}

export function checkOptions(opts: GenerateOptions, minTextLength: number, minRegions = 2): void {
  const ints: Array<[string, number]> = [
    ['regionFeatureDim', opts.regionFeatureDim],
    ['maxRegions', opts.maxRegions],
    ['maxTextLength', opts.maxTextLength],
    ['sizes.train', opts.sizes.train],
    ['sizes.val', opts.sizes.val],
    ['sizes.test', opts.sizes.test],
  ];
  for (const [k, v] of ints) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`SyntheticVL: ${k} must be a non-negative integer (got ${v})`);
  }
  if (opts.regionFeatureDim < 1) throw new Error('SyntheticVL: regionFeatureDim must be ≥ 1');
  if (opts.maxRegions < minRegions) throw new Error(`SyntheticVL: this task needs maxRegions ≥ ${minRegions}`);
  if (opts.maxTextLength < minTextLength)
    throw new Error(`SyntheticVL: this task needs maxTextLength ≥ ${minTextLength}`);
}

/**
 * Each split has its own stream (seed × task × split), so changing the train size never changes
 * the val/test examples.
 */
export function splitRng(seed: number, taskSalt: number, split: SplitName): Rng {
  const s = (seed >>> 0) ^ Math.imul(taskSalt, 0x9e3779b1) ^ Math.imul(SPLITS.indexOf(split) + 1, 0x85ebca6b);
  return new Rng(s >>> 0);
}

export function generateSplits<E>(
  opts: GenerateOptions,
  taskSalt: number,
  makeSplit: (rng: Rng, n: number, split: SplitName) => E[],
): Splits<E> {
  const out = {} as Splits<E>;
  for (const split of SPLITS) out[split] = makeSplit(splitRng(opts.seed, taskSalt, split), opts.sizes[split], split);
  return out;
}

/** Per-example generation: one example per call of make, which may reject (null) and retry. */
export function repeat<E>(rng: Rng, n: number, make: (rng: Rng) => E | null, what: string): E[] {
  const out: E[] = [];
  for (let i = 0; i < n; i++) out.push(retry(() => make(rng), what));
  return out;
}

/** Rejection sampling with a bound: a generator that cannot satisfy its constraints says so. */
export function retry<T>(f: () => T | null, what: string, tries = 200): T {
  for (let k = 0; k < tries; k++) {
    const r = f();
    if (r !== null) return r;
  }
  throw new Error(`SyntheticVL: could not generate ${what} in ${tries} tries (maxTextLength or maxRegions too small?)`);
}

/** Number of objects, uniform in [minObjects, maxRegions]. */
export function sceneCount(rng: Rng, knobs: SceneKnobs, maxRegions: number): number {
  const hi = Math.min(knobs.maxObjects ?? maxRegions, maxRegions);
  const lo = Math.min(knobs.minObjects, hi);
  return lo + rng.int(hi - lo + 1);
}

export function sampleScene(rng: Rng, knobs: SceneKnobs, maxRegions: number): SceneObject[] {
  return sampleObjects(rng, { count: sceneCount(rng, knobs, maxRegions), shareProb: knobs.shareProb });
}

export function toInput(
  objects: readonly SceneObject[],
  opts: GenerateOptions,
  knobs: SceneKnobs,
  rng: Rng,
): SceneInput {
  return encodeScene(objects, opts.regionFeatureDim, knobs.featureNoise, rng);
}

/** A weighted choice among named options (weights need not sum to 1). */
export function weighted<T extends string>(rng: Rng, weights: Readonly<Record<T, number>>): T {
  const entries = Object.entries(weights) as Array<[T, number]>;
  const total = entries.reduce((t, [, w]) => t + w, 0);
  let u = rng.next() * total;
  for (const [k, w] of entries) {
    if (u < w) return k;
    u -= w;
  }
  return entries[entries.length - 1][0];
}

/** Drops the generator's scene description, keeping the contract's examples. */
export function examplesOf<D extends { example: E }, E>(d: Splits<D>): Splits<E> {
  return { train: d.train.map((x) => x.example), val: d.val.map((x) => x.example), test: d.test.map((x) => x.example) };
}
