/** RANDOM: uniformly random survivors at the same sparsity (the paper's random-pruning baseline). */
import { nextMask, type Mask } from '../../pruning';
import type { ModelConfig } from '../../model/config';
import { Rng } from '../../rng';
import { denseMask } from '../bridge';
import { verifyCount } from '../verify';
import type { SearchMethod } from './types';

const RANDOM_MASK_SALT = 0x4a4d;

/** RANDOM mask at `sparsity` from `seed` (global: exactly round(s·N) pruned; layer-wise: round(s·N_t) per tensor). */
export function randomMask(config: ModelConfig, sparsity: number, seed: number, layerwise = false): Mask {
  // Drawn from the seed and the sparsity, so each sparsity has its own, reproducible mask.
  const rng = new Rng(seed).fork(RANDOM_MASK_SALT ^ Math.round(sparsity * 1e6));
  const m = nextMask({ method: 'RANDOM', current: denseMask(config), targetSparsity: sparsity, rng, layerwise }).mask;
  if (!layerwise) verifyCount(m, sparsity, 'RANDOM mask');
  return m;
}

export const randomSearch: SearchMethod = {
  name: 'RANDOM',
  description: 'Random pruning to the same sparsity (baseline).',
  shape: 'independent',
  rewinds: false,
  ranksWeights: false,
  mask: (r) => randomMask(r.config, r.sparsity, r.seed, r.layerwise),
};
