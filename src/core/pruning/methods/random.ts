import { PruningError } from '../errors';
import { randomPrune } from '../random';
import type { PruningMethod } from './types';

/** Random pruning at the exact target sparsity (global or layer-wise), nested on the current mask. */
export const randomMethod: PruningMethod = {
  name: 'RANDOM',
  description: 'uniformly random survivors pruned to the exact target sparsity, globally or per tensor',
  needsWeights: false,
  needsRng: true,
  nextMask(args) {
    if (!args.rng) throw new PruningError('RANDOM needs an rng');
    const r = randomPrune({
      layout: args.layout,
      current: args.current,
      targetSparsity: args.targetSparsity,
      rng: args.rng,
      layerwise: args.layerwise,
    });
    return { mask: r.mask, k: r.k, newlyPruned: r.newlyPruned };
  },
};
