/** ONE_SHOT: global magnitude pruning of the ranking weights straight to the target sparsity. */
import { nextMask, type Mask } from '../../pruning';
import type { ModelConfig } from '../../model/config';
import { denseMask, prunableTensors } from '../bridge';
import { verifyCount } from '../verify';
import type { SearchMethod } from './types';

/** ONE_SHOT mask of `weights` (full encoder weight map: θ0 or fine-tuned) at `sparsity`. */
export function oneShotMask(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>, sparsity: number): Mask {
  const m = nextMask({
    method: 'ONE_SHOT',
    weights: prunableTensors(weights, config),
    current: denseMask(config),
    targetSparsity: sparsity,
  }).mask;
  verifyCount(m, sparsity, 'ONE_SHOT mask');
  return m;
}

export const oneShotSearch: SearchMethod = {
  name: 'ONE_SHOT',
  description: 'One-shot global magnitude pruning to the target sparsity.',
  shape: 'independent',
  rewinds: false,
  ranksWeights: true,
  mask: (r) => oneShotMask(r.config, r.weights, r.sparsity),
};
