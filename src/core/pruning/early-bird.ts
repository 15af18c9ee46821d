/**
 * Early-Bird tickets (You et al., ICLR 2020): while the dense model trains, the global magnitude
 * mask at the target sparsity is drawn every `interval` steps; once consecutive draws stop
 * changing — the largest normalised Hamming distance between consecutive draws over the last
 * `window` draws below `tolerance` — the mask is taken as the ticket, long before training ends.
 * Defaults are the paper's: window 5, tolerance 0.1.
 */
import { popcount32 } from './bits';
import type { Mask } from './mask';

/** Fraction of weights whose kept/pruned state differs: 0 for equal masks, 1 for complements. */
export function maskDistance(a: Mask, b: Mask): number {
  a.assertSameLayout(b, 'mask distance');
  if (a.total === 0) return 0;
  let differ = 0;
  // Bits past the last weight are 0 in every mask (Mask.fromWords), so they never differ.
  for (let i = 0; i < a.words.length; i++) differ += popcount32(a.words[i] ^ b.words[i]);
  return differ / a.total;
}

export interface EarlyBirdRule {
  /** draws whose distances must all be below the tolerance (default 5). */
  window: number;
  /** largest distance that counts as unchanged (default 0.1). */
  tolerance: number;
}

export const EARLY_BIRD_DEFAULTS: EarlyBirdRule = { window: 5, tolerance: 0.1 };

/** Default draw interval: 20 draws over the dense fine-tune's budget (the paper draws once an epoch). */
export function defaultInterval(steps: number): number {
  return Math.max(1, Math.round(steps / 20));
}

/**
 * The stop rule over a stream of draws. Each `draw` gives one distance per target sparsity (to
 * the previous draw); the search stops at the first draw after which the last `window` draws'
 * distances, every sparsity's, are all below the tolerance.
 */
export class EarlyBirdStop {
  private readonly recent: number[] = [];
  constructor(private readonly rule: EarlyBirdRule) {
    if (!(Number.isInteger(rule.window) && rule.window >= 1)) throw new Error('window must be a positive integer');
    if (!(rule.tolerance > 0 && rule.tolerance <= 1)) throw new Error('tolerance must be in (0, 1]');
  }

  /** The largest distance of this draw (over the sparsities) is recorded; true: stop now. */
  draw(distances: readonly number[]): boolean {
    if (!distances.length) throw new Error('a draw needs one distance per target sparsity');
    this.recent.push(Math.max(...distances));
    if (this.recent.length > this.rule.window) this.recent.shift();
    return this.converged();
  }

  converged(): boolean {
    return this.recent.length === this.rule.window && Math.max(...this.recent) < this.rule.tolerance;
  }

  /** The largest distance over the current window (NaN before the first draw). */
  get windowMax(): number {
    return this.recent.length ? Math.max(...this.recent) : NaN;
  }
}
