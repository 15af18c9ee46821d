import { PruningError } from './errors';

/**
 * Number of weights pruned at sparsity s of n weights: k = round(s·n), halves rounded up
 * (Math.round). s must be a finite number in [0, 1).
 */
export function targetCount(s: number, n: number): number {
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s >= 1) {
    throw new PruningError(`target sparsity must be in [0, 1); got ${s}`);
  }
  return Math.round(s * n);
}
