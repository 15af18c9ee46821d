/** The compute thread's per-step callback: global step counting and the divergence check. */
import type { ComputeMessage } from './protocol';

export type StepCallback = (step: number, steps: number, loss: number, lr: number) => void;

/**
 * Reports step `offset + step` of `total`. A non-finite loss throws, which ends the computation
 * and fails the run with this message: training diverged, and retrying the same seed would not help.
 */
export function stepReporter(
  post: (m: ComputeMessage) => void,
  offset: number,
  total: number,
  where: () => string,
): StepCallback {
  return (step, _steps, loss, lr) => {
    if (!Number.isFinite(loss)) throw new Error(`loss became ${loss} at ${where()}, step ${step}: training diverged`);
    const s = offset + step;
    post({
      type: 'progress',
      step: s,
      totalSteps: total,
      progress: total > 0 ? Math.min(1, s / total) : 0,
      loss,
      lr,
      at: Date.now(),
    });
  };
}
