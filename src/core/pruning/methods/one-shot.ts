import { PruningError } from '../errors';
import { globalMagnitudePrune } from '../magnitude';
import type { PruningMethod } from './types';

/**
 * One-shot magnitude pruning: the given weights (θ0, or weights fine-tuned once) pruned from the
 * dense model straight to the target sparsity. A current mask, if given, must be dense.
 */
export const oneShotMethod: PruningMethod = {
  name: 'ONE_SHOT',
  description: 'global magnitude pruning of the given weights, from dense to the target in one step',
  needsWeights: true,
  needsRng: false,
  nextMask(args) {
    if (!args.weights) throw new PruningError('ONE_SHOT needs the weights to prune');
    if (args.layerwise) throw new PruningError('ONE_SHOT prunes globally; layerwise is not supported');
    if (args.current && args.current.pruned > 0) {
      throw new PruningError(
        `ONE_SHOT prunes from the dense model; the current mask has ${args.current.pruned} pruned`,
      );
    }
    const r = globalMagnitudePrune({
      weights: args.weights,
      layout: args.layout ?? args.current?.segments,
      targetSparsity: args.targetSparsity,
    });
    return { mask: r.mask, k: r.k, newlyPruned: r.newlyPruned };
  },
};
