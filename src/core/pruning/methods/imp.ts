import { PruningError } from '../errors';
import { globalMagnitudePrune } from '../magnitude';
import type { PruningMethod } from './types';

/**
 * One IMP level: global magnitude pruning of the TRAINED weights of this level, nested on the
 * current mask (dense at the first level). The training loop that produces the weights, and the
 * rewinding of survivors, live with the training code.
 */
export const impMethod: PruningMethod = {
  name: 'IMP',
  description: 'iterative magnitude pruning: prune the lowest-|w| survivors of the trained weights, globally, nested',
  needsWeights: true,
  needsRng: false,
  nextMask(args) {
    if (!args.weights) throw new PruningError('IMP needs the trained weights');
    if (args.layerwise) throw new PruningError('IMP prunes globally; layerwise is not supported');
    const r = globalMagnitudePrune({
      weights: args.weights,
      layout: args.layout,
      current: args.current,
      targetSparsity: args.targetSparsity,
    });
    return { mask: r.mask, k: r.k, newlyPruned: r.newlyPruned };
  },
};
