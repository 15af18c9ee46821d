/**
 * IMP sparsity schedules. A schedule lists the sparsity of the mask at levels 1 … L as a
 * fraction of the ORIGINAL prunable count; level 0 is dense and is not listed.
 */
import { PruningError } from './errors';
import { targetCount } from './target';

/**
 * BERT-Tickets' schedule: `step` of the original each level — linear(9, 0.1) = 0.1, 0.2, …, 0.9.
 * Values are rounded to 12 decimals so that 0.1·3 is 0.3, not 0.30000000000000004.
 */
export function linearSchedule(levels = 9, step = 0.1): number[] {
  positiveInt(levels, 'levels');
  if (!(step > 0 && step < 1)) throw new PruningError(`step must be in (0, 1); got ${step}`);
  const out = Array.from({ length: levels }, (_, i) => clean((i + 1) * step));
  return validateSchedule(out);
}

/** "Prune p of the remaining each level": s_k = 1 − (1 − p)^k. */
export function geometricSchedule(levels: number, p: number): number[] {
  positiveInt(levels, 'levels');
  if (!(p > 0 && p < 1)) throw new PruningError(`p must be in (0, 1); got ${p}`);
  return validateSchedule(Array.from({ length: levels }, (_, i) => clean(1 - (1 - p) ** (i + 1))));
}

/** Every value finite in (0, 1), strictly increasing; returns the schedule. */
export function validateSchedule(s: readonly number[]): number[] {
  if (s.length === 0) throw new PruningError('a schedule needs at least one level');
  s.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v >= 1) {
      throw new PruningError(`schedule level ${i + 1}: sparsity must be in (0, 1); got ${v}`);
    }
    if (i > 0 && v <= s[i - 1])
      throw new PruningError(`schedule must increase strictly; level ${i + 1} (${v}) ≤ level ${i} (${s[i - 1]})`);
  });
  return [...s];
}

/**
 * Validates a schedule against a prunable count: each level must prune at least one more weight
 * than the previous (k = round(s·n) strictly increasing), otherwise a level repeats a mask.
 */
export function checkScheduleCounts(s: readonly number[], n: number): void {
  let prev = 0;
  validateSchedule(s).forEach((v, i) => {
    const k = targetCount(v, n);
    if (k <= prev)
      throw new PruningError(`schedule level ${i + 1} (${v}) prunes ${k} of ${n}, not more than the previous level`);
    prev = k;
  });
}

function positiveInt(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 1 || v > 1000)
    throw new PruningError(`${what} must be an integer in [1, 1000]; got ${v}`);
}

function clean(v: number): number {
  return Number(v.toFixed(12));
}
