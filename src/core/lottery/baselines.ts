/**
 * The paper's pruning baselines as one-level procedures, each from the dense model straight to
 * the requested sparsity (not nested across sparsities), through the pruning registry:
 * - ONE_SHOT: global magnitude pruning of θ0 ('THETA0') or of the weights fine-tuned once,
 *   densely, on the task ('FINETUNED': IMP level 0's trained weights for the same seed).
 * - RANDOM: uniformly random survivors, globally or per tensor ('layerwise'), drawn from the seed
 *   and the sparsity (so each sparsity has its own, reproducible mask).
 * The mask is then evaluated like an IMP ticket: θ0 ⊙ m, fine-tuned, tested.
 */
import { nextMask, type Mask } from '../pruning';
import { Rng } from '../rng';
import type { ModelConfig } from '../model/config';
import type { TaskKind } from '../data';
import { denseMask, prunableTensors } from './bridge';
import { evaluateTicket, type EvaluateOptions, type TicketEvaluation } from './evaluate';
import { verifyCount } from './verify';

export type OneShotSource = 'THETA0' | 'FINETUNED';

const RANDOM_MASK_SALT = 0x4a4d;

/** ONE_SHOT mask of `weights` (full encoder weight map: θ0 or fine-tuned) at `sparsity`. */
export function oneShotMask(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>, sparsity: number): Mask {
  const dense = denseMask(config);
  const m = nextMask({ method: 'ONE_SHOT', weights: prunableTensors(weights, config), current: dense, targetSparsity: sparsity }).mask;
  verifyCount(m, sparsity, 'ONE_SHOT mask');
  return m;
}

/** RANDOM mask at `sparsity` from `seed` (global: exactly round(s·N) pruned; layer-wise: round(s·N_t) per tensor). */
export function randomMask(config: ModelConfig, sparsity: number, seed: number, layerwise = false): Mask {
  const rng = new Rng(seed).fork(RANDOM_MASK_SALT ^ Math.round(sparsity * 1e6));
  const m = nextMask({ method: 'RANDOM', current: denseMask(config), targetSparsity: sparsity, rng, layerwise }).mask;
  if (!layerwise) verifyCount(m, sparsity, 'RANDOM mask');
  return m;
}

export type BaselineOptions<K extends TaskKind> = Omit<EvaluateOptions<K>, 'mask' | 'keepTrainedWeights' | 'snapshotAtStep'> & {
  method: 'ONE_SHOT' | 'RANDOM';
  sparsity: number;
  /** ONE_SHOT: which weights rank the magnitudes (default THETA0). */
  source?: OneShotSource;
  /** ONE_SHOT FINETUNED: the fine-tuned weights, when already at hand (else fine-tuned here, densely, same seed). */
  finetunedWeights?: ReadonlyMap<string, Float32Array>;
  /** RANDOM: per-tensor sparsity instead of global. */
  layerwise?: boolean;
};

export interface BaselineResult {
  method: 'ONE_SHOT' | 'RANDOM';
  mask: Mask;
  evaluation: TicketEvaluation;
}

export function runBaseline<K extends TaskKind>(o: BaselineOptions<K>): BaselineResult {
  let mask: Mask;
  if (o.method === 'RANDOM') {
    mask = randomMask(o.config, o.sparsity, o.seed, o.layerwise);
  } else {
    let weights = o.source === 'FINETUNED' ? o.finetunedWeights : o.theta0;
    if (!weights) {
      weights = evaluateTicket({ ...o, mask: null, weightInit: 'PRETRAINED', keepTrainedWeights: true, onProgress: undefined }).trainedWeights!;
    }
    mask = oneShotMask(o.config, weights, o.sparsity);
  }
  const evaluation = evaluateTicket({ ...o, mask });
  return { method: o.method, mask, evaluation };
}
