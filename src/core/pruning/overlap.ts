/**
 * Mask overlap (the paper's |m_i ∩ m_j| / |m_i ∪ m_j|) over KEPT weights, on packed words.
 * Two masks that keep nothing have an empty union; their Jaccard is defined as 1 (the two
 * kept sets are identical — both empty), matching jaccard(m, m) = 1 for every mask m.
 */
import { popcount32 } from './bits';
import type { Mask } from './mask';

export interface Overlap {
  intersection: number;
  union: number;
  jaccard: number;
}

export function maskOverlap(a: Mask, b: Mask): Overlap {
  a.assertSameLayout(b, 'mask overlap');
  const x = a.words;
  const y = b.words;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < x.length; i++) {
    inter += popcount32(x[i] & y[i]);
    union += popcount32(x[i] | y[i]);
  }
  return { intersection: inter, union, jaccard: union === 0 ? 1 : inter / union };
}

/** Jaccard similarity of the kept sets (1 for two all-pruned masks). */
export function jaccard(a: Mask, b: Mask): number {
  return maskOverlap(a, b).jaccard;
}
