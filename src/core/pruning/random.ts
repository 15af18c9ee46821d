/**
 * Random pruning at an exact sparsity (the RANDOM baseline), nested on a current mask.
 *
 * Selection sampling (Knuth's Algorithm S) over the survivors in canonical order: the j-th
 * survivor is pruned with probability (still to prune) / (survivors left), drawn exactly with
 * uniformBelow. Every subset of the required size is equally likely and the count is exact.
 *
 * GLOBAL: exactly k = round(s·N) pruned in total, the new ones uniform among all survivors.
 * LAYER-WISE: each tensor t of N_t weights ends with exactly k_t = round(s·N_t) pruned, so every
 * tensor has the same sparsity up to rounding; the total is Σ k_t, which may differ from
 * round(s·N) by at most half the number of tensors (reported as `k`).
 * The rng is consumed in canonical order, so a seed determines the mask.
 */
import type { Rng } from '../rng';
import { PruningError } from './errors';
import { sameLayout, type Segment, type SegmentSpec } from './layout';
import { Mask } from './mask';
import { targetCount } from './target';
import { uniformBelow } from './uniform';

export interface RandomOptions {
  layout?: readonly (Segment | SegmentSpec)[];
  /** only its kept weights can be pruned; its pruned weights stay pruned. */
  current?: Mask;
  /** sparsity of the ORIGINAL total (per tensor when layerwise), in [0, 1). */
  targetSparsity: number;
  rng: Rng;
  /** each tensor to the same sparsity instead of one global budget; default false. */
  layerwise?: boolean;
}

export interface RandomResult {
  mask: Mask;
  /** total pruned in the result. */
  k: number;
  newlyPruned: number;
}

export function randomPrune(opts: RandomOptions): RandomResult {
  const base = opts.current ?? Mask.ones(opts.layout ?? fail('random pruning needs a layout or a current mask'));
  if (opts.current && opts.layout && !sameLayout(opts.current.segments, Mask.layout(opts.layout))) {
    fail("layout differs from the current mask's layout");
  }
  const out = base.words.slice();
  if (!opts.layerwise) {
    const k = targetCount(opts.targetSparsity, base.total);
    const need = k - base.pruned;
    if (need < 0)
      fail(`target sparsity ${opts.targetSparsity} (${k} pruned) is below the current mask's ${base.pruned} pruned`);
    pruneRandomly(out, 0, base.total, base.kept, need, opts.rng);
    return { mask: Mask.fromWords(base.segments, out), k, newlyPruned: need };
  }
  targetCount(opts.targetSparsity, 0); // validates s even for an empty layout
  const plan = base.segments.map((s, i) => {
    const kt = targetCount(opts.targetSparsity, s.length);
    const kept = base.keptIn(i);
    const need = kt - (s.length - kept);
    if (need < 0) fail(`tensor "${s.name}": target ${kt} pruned is below the current mask's ${s.length - kept} pruned`);
    return { s, kt, kept, need };
  });
  let k = 0;
  let newly = 0;
  for (const { s, kt, kept, need } of plan) {
    pruneRandomly(out, s.offset, s.offset + s.length, kept, need, opts.rng);
    k += kt;
    newly += need;
  }
  return { mask: Mask.fromWords(base.segments, out), k, newlyPruned: newly };
}

/** Clears exactly `need` of the `survivors` set bits in [start, end), uniformly. */
function pruneRandomly(
  words: Uint32Array,
  start: number,
  end: number,
  survivors: number,
  need: number,
  rng: Rng,
): void {
  if (need === 0 || end <= start) return;
  let left = survivors;
  let toPick = need;
  const w0 = start >>> 5;
  const w1 = (end - 1) >>> 5;
  for (let w = w0; w <= w1 && toPick > 0; w++) {
    let bits = words[w];
    if (w === w0) bits &= (0xffffffff << (start & 31)) >>> 0;
    if (w === w1 && end & 31) bits &= 0xffffffff >>> (32 - (end & 31));
    let clear = 0;
    while (bits !== 0 && toPick > 0) {
      const low = bits & -bits;
      if (uniformBelow(rng, left) < toPick) {
        clear |= low;
        toPick--;
      }
      left--;
      bits ^= low;
    }
    words[w] &= ~clear;
  }
  if (toPick !== 0) throw new Error(`unreachable: ${toPick} weights left to prune`);
}

function fail(message: string): never {
  throw new PruningError(message);
}
