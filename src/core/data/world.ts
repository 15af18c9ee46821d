/**
 * The fixed SyntheticVL world: attributes, their region-feature directions, and scene sampling.
 *
 * The attribute embedding tables depend only on WORLD_SEED and regionFeatureDim, never on a
 * task or on a generator seed: "red" points the same way in every task and in pre-training.
 * That shared grounding is what lets pre-training transfer to the downstream tasks.
 */
import { Rng } from '../rng';
import type { SceneInput } from './types';

export const WORLD_SEED = 0x5eed71c7;

export const SHAPES = ['cube', 'sphere', 'cylinder', 'cone', 'ring', 'pyramid'] as const;
export const SHAPE_PLURALS = ['cubes', 'spheres', 'cylinders', 'cones', 'rings', 'pyramids'] as const;
export const COLOURS = ['red', 'blue', 'green', 'yellow', 'purple', 'orange', 'white', 'black'] as const;
export const SIZES = ['small', 'medium', 'large'] as const;
export const MATERIALS = ['metal', 'rubber', 'glass', 'plastic'] as const;

/** Attribute types in English adjective order (size, colour, material, then the noun). */
export type AttrType = 'size' | 'colour' | 'material' | 'shape';
export const ATTR_TYPES: readonly AttrType[] = ['size', 'colour', 'material', 'shape'];
export const ATTR_VALUES: Readonly<Record<AttrType, readonly string[]>> = {
  size: SIZES,
  colour: COLOURS,
  material: MATERIALS,
  shape: SHAPES,
};

/** One object of a scene: attribute value indices plus its box corners in [0, 1]. */
export interface SceneObject {
  size: number;
  colour: number;
  material: number;
  shape: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export function centerX(o: SceneObject): number {
  return (o.x1 + o.x2) / 2;
}
export function centerY(o: SceneObject): number {
  return (o.y1 + o.y2) / 2;
}
export function attrWord(o: SceneObject, t: AttrType): string {
  return ATTR_VALUES[t][o[t]];
}

/** Box side range per size class: size is visible both in the feature and in the box. */
const SIZE_EXTENT: ReadonlyArray<readonly [number, number]> = [
  [0.08, 0.13],
  [0.15, 0.21],
  [0.23, 0.3],
];
/** Box centres live in [MARGIN, 1 - MARGIN] so that no box needs clipping (max half-side 0.16). */
const MARGIN = 0.16;

export interface SceneSpec {
  /** number of objects in the scene. */
  count: number;
  /**
   * Probability that a new object copies one or two attribute values of an earlier one. Shared
   * attributes force a model to bind words to the right region instead of matching a bag of
   * attributes (the distractor scheme of every task).
   */
  shareProb: number;
}

/**
 * Samples a scene. Box centres come from distinct horizontal and vertical slots, so every pair
 * of objects has a definite left/right and above/below order (centre gap ≥ ~0.03).
 */
export function sampleObjects(rng: Rng, spec: SceneSpec): SceneObject[] {
  const n = spec.count;
  const slots = Math.max(12, n + 2);
  const step = (1 - 2 * MARGIN) / slots;
  const xs = slotOrder(rng, slots);
  const ys = slotOrder(rng, slots);
  const objects: SceneObject[] = [];
  for (let i = 0; i < n; i++) {
    const o: SceneObject = {
      size: rng.int(SIZES.length),
      colour: rng.int(COLOURS.length),
      material: rng.int(MATERIALS.length),
      shape: rng.int(SHAPES.length),
      x1: 0,
      y1: 0,
      x2: 0,
      y2: 0,
    };
    if (i > 0 && rng.next() < spec.shareProb) {
      const src = objects[rng.int(objects.length)];
      // copy one or two of the four attribute types
      const first = rng.int(4);
      const copy = [ATTR_TYPES[first]];
      if (rng.next() < 0.5) copy.push(ATTR_TYPES[(first + 1 + rng.int(3)) % 4]);
      for (const t of copy) o[t] = src[t];
    }
    const [lo, hi] = SIZE_EXTENT[o.size];
    const w = lo + (hi - lo) * rng.next();
    const h = lo + (hi - lo) * rng.next();
    const cx = MARGIN + (xs[i] + 0.3 + 0.4 * rng.next()) * step;
    const cy = MARGIN + (ys[i] + 0.3 + 0.4 * rng.next()) * step;
    o.x1 = cx - w / 2;
    o.y1 = cy - h / 2;
    o.x2 = cx + w / 2;
    o.y2 = cy + h / 2;
    objects.push(o);
  }
  return objects;
}

function slotOrder(rng: Rng, slots: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < slots; i++) a.push(i);
  return rng.shuffle(a);
}

const tableCache = new Map<number, Record<AttrType, Float32Array[]>>();

/**
 * Fixed attribute embedding tables for a feature width: entries N(0, 1), from WORLD_SEED only.
 * A region's clean feature is the sum of its four attribute vectors.
 */
export function attributeEmbeddings(dim: number): Readonly<Record<AttrType, Float32Array[]>> {
  let t = tableCache.get(dim);
  if (!t) {
    const rng = new Rng(WORLD_SEED);
    const make = (n: number): Float32Array[] =>
      Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => rng.normal()));
    t = {
      size: make(SIZES.length),
      colour: make(COLOURS.length),
      material: make(MATERIALS.length),
      shape: make(SHAPES.length),
    };
    tableCache.set(dim, t);
  }
  return t;
}

const NOISE_BITS = 16;
let noiseValues: Float32Array | null = null;

/**
 * 65 536 fixed N(0, 1) draws, indexed by uniform random integers: i.i.d. draws from an empirical
 * Gaussian at a fraction of Box–Muller's cost (feature noise dominates generation time).
 */
function noiseTable(): Float32Array {
  if (!noiseValues) {
    const rng = new Rng(WORLD_SEED ^ 0x6e6f6973);
    noiseValues = Float32Array.from({ length: 1 << NOISE_BITS }, () => rng.normal());
  }
  return noiseValues;
}

const ARENA_FLOATS = 1 << 18;
let arena = new Float32Array(0);
let arenaUsed = 0;

/**
 * Zeroed views into shared 1 MiB blocks: hundreds of thousands of tiny typed arrays (one per
 * scene) cost more in allocation and GC than filling them does.
 */
function arenaAlloc(n: number): Float32Array {
  if (n > ARENA_FLOATS) return new Float32Array(n);
  if (arenaUsed + n > arena.length) {
    arena = new Float32Array(ARENA_FLOATS);
    arenaUsed = 0;
  }
  const view = arena.subarray(arenaUsed, arenaUsed + n);
  arenaUsed += n;
  return view;
}

/**
 * UNITER's input layout for a scene: feature = Σ attribute embeddings + N(0, noise²) per entry
 * (the analogue of detector features), box = (x1, y1, x2, y2, w, h, w·h).
 */
export function encodeScene(objects: readonly SceneObject[], dim: number, noise: number, rng: Rng): SceneInput {
  const tables = attributeEmbeddings(dim);
  const table = noiseTable();
  const n = objects.length;
  const features = arenaAlloc(n * dim);
  const boxes = arenaAlloc(n * 7);
  for (let i = 0; i < n; i++) {
    const o = objects[i];
    const s = tables.size[o.size],
      c = tables.colour[o.colour],
      m = tables.material[o.material],
      sh = tables.shape[o.shape];
    const base = i * dim;
    // one 32-bit draw gives two 16-bit table indices
    for (let d = 0; d < dim; d += 2) {
      const u = rng.nextU32();
      features[base + d] = s[d] + c[d] + m[d] + sh[d] + noise * table[u >>> 16];
      if (d + 1 < dim) features[base + d + 1] = s[d + 1] + c[d + 1] + m[d + 1] + sh[d + 1] + noise * table[u & 0xffff];
    }
    const w = o.x2 - o.x1,
      h = o.y2 - o.y1;
    const b = i * 7;
    boxes[b] = o.x1;
    boxes[b + 1] = o.y1;
    boxes[b + 2] = o.x2;
    boxes[b + 3] = o.y2;
    boxes[b + 4] = w;
    boxes[b + 5] = h;
    boxes[b + 6] = w * h;
  }
  return { features, boxes, count: n };
}
