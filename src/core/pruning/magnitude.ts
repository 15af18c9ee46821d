/**
 * Global unstructured magnitude pruning by exact selection (no sort, no copy of the weights).
 *
 * The bits of a non-negative float32 are monotonic when read as uint32, so |w| is ranked by
 * key = bits(w) & 0x7fffffff. Three passes over the surviving weights:
 *   1. histogram of key >>> 16 (65536 buckets) → the bucket holding the need-th smallest key;
 *   2. histogram of key & 0xffff inside that bucket → the exact threshold key T;
 *   3. prune every survivor with key < T, then survivors with key == T in increasing global
 *      index until exactly `need` are pruned.
 * Tie-breaking (documented contract): among equal |w| (including +0 and -0), the weight with the
 * lower global index — earlier tensor in canonical order, then lower flat (row-major) index — is
 * pruned first. Extra memory: two 256 KiB histograms and the new mask (N/8 bytes).
 */
import { PruningError } from './errors';
import { checkTensors, sameLayout, type Segment, type SegmentSpec } from './layout';
import { Mask } from './mask';
import { targetCount } from './target';

export interface MagnitudeOptions {
  /** the weights of the prunable tensors, in layout order. */
  weights: readonly Float32Array[];
  /** layout of the weights; may be omitted when `current` is given (its layout is used). */
  layout?: readonly (Segment | SegmentSpec)[];
  /** only its kept weights are candidates; its pruned weights stay pruned (nesting). */
  current?: Mask;
  /** sparsity of the ORIGINAL total to reach, in [0, 1). */
  targetSparsity: number;
}

export interface MagnitudeResult {
  mask: Mask;
  /** total pruned in the result: round(targetSparsity · total). */
  k: number;
  /** pruned by this call (k minus those already pruned in `current`). */
  newlyPruned: number;
  /** largest |w| pruned by this call; null when nothing new was pruned. */
  threshold: number | null;
  /** survivors whose |w| equals the threshold, and how many of them were pruned (tie-break). */
  tiedAtThreshold: number;
  prunedAtThreshold: number;
}

const ABS = 0x7fffffff;
const INF_KEY = 0x7f800000;

export function globalMagnitudePrune(opts: MagnitudeOptions): MagnitudeResult {
  const { weights, current } = opts;
  const base = current ?? Mask.ones(opts.layout ?? failNoLayout());
  if (current && opts.layout && !sameLayout(current.segments, Mask.layout(opts.layout))) {
    throw new PruningError("layout differs from the current mask's layout");
  }
  const segs = base.segments;
  checkTensors(segs, weights, 'magnitude pruning');
  const k = targetCount(opts.targetSparsity, base.total);
  const already = base.pruned;
  if (k < already) {
    throw new PruningError(
      `target sparsity ${opts.targetSparsity} (${k} pruned) is below the current mask's ${already} pruned`,
    );
  }
  const need = k - already;
  const dense = already === 0;
  const words = base.words;
  const keys = weights.map((w) => new Uint32Array(w.buffer, w.byteOffset, w.length));

  // pass 1 (also the NaN check, over every weight, pruned or not)
  const hi = new Uint32Array(65536);
  segs.forEach((s, t) => {
    const bad = dense ? histHigh(keys[t], hi) : histHighMasked(keys[t], s.offset, words, hi);
    if (bad >= 0) throw new PruningError(`NaN weight in tensor "${s.name}" at index ${bad}`);
  });
  if (need === 0) return { mask: base, k, newlyPruned: 0, threshold: null, tiedAtThreshold: 0, prunedAtThreshold: 0 };

  const [bucket, belowBucket] = locate(hi, need, 0);
  // pass 2: low halves inside the boundary bucket
  const lo = new Uint32Array(65536);
  segs.forEach((s, t) => histLow(keys[t], s.offset, words, dense, bucket, lo));
  const [low, below] = locate(lo, need, belowBucket);
  const T = ((bucket << 16) | low) >>> 0;
  const tied = lo[low];
  // pass 3: the new mask; ties at T pruned in increasing global index until the quota is met
  const out = words.slice();
  let quota = need - below;
  segs.forEach((s, t) => {
    quota = clearBelow(keys[t], s.offset, words, out, T, quota);
  });
  const threshold = new Float32Array(new Uint32Array([T]).buffer)[0];
  return {
    mask: Mask.fromWords(segs, out),
    k,
    newlyPruned: need,
    threshold,
    tiedAtThreshold: tied,
    prunedAtThreshold: need - below,
  };
}

// The loops below are branch-free on the mask bits (which look random to the predictor): a kept
// bit is added to the histogram as 0 or 1 rather than tested.

/** Returns the index of the first NaN, or -1. */
function histHigh(u: Uint32Array, hist: Uint32Array): number {
  for (let i = 0; i < u.length; i++) {
    const key = u[i] & ABS;
    if (key > INF_KEY) return i;
    hist[key >>> 16]++;
  }
  return -1;
}

function histHighMasked(u: Uint32Array, off: number, words: Uint32Array, hist: Uint32Array): number {
  for (let i = 0; i < u.length; i++) {
    const key = u[i] & ABS;
    if (key > INF_KEY) return i;
    const g = off + i;
    hist[key >>> 16] += (words[g >>> 5] >>> (g & 31)) & 1;
  }
  return -1;
}

function histLow(
  u: Uint32Array,
  off: number,
  words: Uint32Array,
  dense: boolean,
  bucket: number,
  lo: Uint32Array,
): void {
  for (let i = 0; i < u.length; i++) {
    const key = u[i] & ABS;
    if (key >>> 16 !== bucket) continue;
    const g = off + i;
    lo[key & 0xffff] += dense ? 1 : (words[g >>> 5] >>> (g & 31)) & 1;
  }
}

/**
 * Clears in `out` the bits of weights with key < T (already-pruned bits stay clear) and, in
 * index order, of up to `quota` kept weights with key == T. Returns the remaining quota.
 */
function clearBelow(
  u: Uint32Array,
  off: number,
  words: Uint32Array,
  out: Uint32Array,
  T: number,
  quota: number,
): number {
  let acc = 0;
  for (let i = 0; i < u.length; i++) {
    const key = u[i] & ABS;
    const g = off + i;
    // (key - T) is negative exactly when key < T; both are below 2^31
    acc |= ((key - T) >>> 31) << (g & 31);
    if (key === T && quota > 0 && (words[g >>> 5] >>> (g & 31)) & 1) {
      acc |= 1 << (g & 31);
      quota--;
    }
    if ((g & 31) === 31) {
      out[g >>> 5] &= ~acc;
      acc = 0;
    }
  }
  if (acc !== 0) out[(off + u.length - 1) >>> 5] &= ~acc;
  return quota;
}

/** First bucket b where start + Σ_{<b} + hist[b] ≥ need; returns [b, start + Σ_{<b}]. */
function locate(hist: Uint32Array, need: number, start: number): [number, number] {
  let cum = start;
  for (let b = 0; b < hist.length; b++) {
    if (cum + hist[b] >= need) return [b, cum];
    cum += hist[b];
  }
  throw new Error('unreachable: fewer candidates than weights to prune');
}

function failNoLayout(): never {
  throw new PruningError('magnitude pruning needs a layout or a current mask');
}
