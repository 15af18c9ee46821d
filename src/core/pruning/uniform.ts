import type { Rng } from '../rng';

const TWO32 = 4294967296;

/**
 * Exactly uniform integer in [0, n) for 1 ≤ n ≤ 2^32, by rejection on 32-bit draws (Rng.int's
 * floor(u·n) is biased by up to n/2^32, which matters at 85M weights).
 */
export function uniformBelow(rng: Rng, n: number): number {
  const limit = TWO32 - (TWO32 % n);
  for (;;) {
    const x = rng.nextU32();
    if (x < limit) return x % n;
  }
}
