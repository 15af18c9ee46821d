/**
 * The paper's pruning baselines as one-level procedures, each from the dense model straight to
 * the requested sparsity (not nested across sparsities), through the pruning registry:
 * - ONE_SHOT: global magnitude pruning of θ0 ('THETA0') or of the weights fine-tuned once,
 *   densely, on the task ('FINETUNED': IMP level 0's trained weights for the same seed).
 * - RANDOM: uniformly random survivors, globally or per tensor ('layerwise'), drawn from the seed
 *   and the sparsity (so each sparsity has its own, reproducible mask).
 * The mask is then evaluated like an IMP ticket: θ0 ⊙ m, fine-tuned, tested.
 */
import type { Mask } from '../pruning';
import type { TaskKind } from '../data';
import { evaluateTicket, type EvaluateOptions, type TicketEvaluation } from './evaluate';
import { getSearchMethod } from './methods/registry';

export type OneShotSource = 'THETA0' | 'FINETUNED';

export { oneShotMask } from './methods/one-shot';
export { randomMask } from './methods/random';

export type BaselineOptions<K extends TaskKind> = Omit<
  EvaluateOptions<K>,
  'mask' | 'keepTrainedWeights' | 'snapshotAtStep'
> & {
  /** an `independent` search method (core/lottery/methods) */
  method: string;
  sparsity: number;
  /** ONE_SHOT: which weights rank the magnitudes (default THETA0). */
  source?: OneShotSource;
  /** ONE_SHOT FINETUNED: the fine-tuned weights, when already at hand (else fine-tuned here, densely, same seed). */
  finetunedWeights?: ReadonlyMap<string, Float32Array>;
  /** RANDOM: per-tensor sparsity instead of global. */
  layerwise?: boolean;
};

export interface BaselineResult {
  method: string;
  mask: Mask;
  evaluation: TicketEvaluation;
}

export function runBaseline<K extends TaskKind>(o: BaselineOptions<K>): BaselineResult {
  const method = getSearchMethod(o.method);
  if (method.shape !== 'independent' || !method.mask)
    throw new Error(`${o.method} finds tickets level by level, not one per sparsity`);
  let weights = o.source === 'FINETUNED' ? o.finetunedWeights : o.theta0;
  if (!weights && method.ranksWeights) {
    weights = evaluateTicket({
      ...o,
      mask: null,
      weightInit: 'PRETRAINED',
      keepTrainedWeights: true,
      onProgress: undefined,
    }).trainedWeights!;
  }
  const mask = method.mask({
    config: o.config,
    weights: weights ?? o.theta0,
    sparsity: o.sparsity,
    seed: o.seed,
    layerwise: o.layerwise,
  });
  const evaluation = evaluateTicket({ ...o, mask });
  return { method: o.method, mask, evaluation };
}
