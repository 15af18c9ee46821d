/** Learning-rate schedule of UNITER/BERT fine-tuning: linear warm-up, then linear decay to 0. */

/** Learning rate for 0-based `step` of `totalSteps`, peaking at `peak` after `warmupSteps`. */
export function linearWarmupDecay(step: number, totalSteps: number, peak: number, warmupSteps: number): number {
  if (totalSteps <= 0) return 0;
  const s = step + 1; // the first update already uses a non-zero rate
  if (warmupSteps > 0 && s <= warmupSteps) return (peak * s) / warmupSteps;
  const rest = totalSteps - warmupSteps;
  if (rest <= 0) return peak;
  return Math.max(0, (peak * (totalSteps - s)) / rest);
}

/** Linear warm-up to `peak` over `warmupSteps`, then constant (pre-training of the shipped model). */
export function warmupConstant(step: number, peak: number, warmupSteps: number): number {
  const s = step + 1;
  return warmupSteps > 0 && s <= warmupSteps ? (peak * s) / warmupSteps : peak;
}
