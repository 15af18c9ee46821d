/** Checks every IMP level runs on its masks (DESIGN §3); each throws TicketInvariantError. */
import { targetCount, type Mask } from '../pruning';
import { TicketInvariantError } from './errors';

/** Exactly round(s·N) of the ORIGINAL prunable count N are pruned. */
export function verifyCount(mask: Mask, sparsity: number, what: string): void {
  const expected = targetCount(sparsity, mask.total);
  if (mask.pruned !== expected) {
    throw new TicketInvariantError(
      `${what}: ${mask.pruned} of ${mask.total} pruned, expected round(${sparsity}·${mask.total}) = ${expected}`,
    );
  }
}

/** m_next ⊆ m (no pruned weight revived). */
export function verifyNested(next: Mask, current: Mask, what: string): void {
  if (!next.isSubsetOf(current))
    throw new TicketInvariantError(`${what}: the new mask keeps weights the previous one pruned (not nested)`);
}

/**
 * Magnitude order of one pruning step: every weight newly pruned has |w| ≤ every survivor's |w|
 * (ties may fall either way, as the tie-break decides). `weights` in mask order.
 */
export function verifyMagnitudeOrder(weights: readonly Float32Array[], current: Mask, next: Mask, what: string): void {
  let maxPruned = -1;
  let minKept = Infinity;
  current.segments.forEach((s, i) => {
    const before = current.unpackSegment(i);
    const after = next.unpackSegment(i);
    const w = weights[i];
    for (let j = 0; j < s.length; j++) {
      if (!before[j]) continue;
      const a = Math.abs(w[j]);
      if (after[j]) minKept = Math.min(minKept, a);
      else maxPruned = Math.max(maxPruned, a);
    }
  });
  if (maxPruned > minKept) {
    throw new TicketInvariantError(
      `${what}: a pruned weight (|w| = ${maxPruned}) is larger than a kept one (|w| = ${minKept})`,
    );
  }
}
