export { PruningError } from './errors';
export { layoutOf, sameLayout, type Segment, type SegmentSpec } from './layout';
export { Mask, type LayerStats } from './mask';
export { targetCount } from './target';
export { globalMagnitudePrune, type MagnitudeOptions, type MagnitudeResult } from './magnitude';
export { randomPrune, type RandomOptions, type RandomResult } from './random';
export { linearSchedule, geometricSchedule, validateSchedule, checkScheduleCounts } from './schedule';
export { maskOverlap, jaccard, type Overlap } from './overlap';
export { maskDistance, EarlyBirdStop, EARLY_BIRD_DEFAULTS, defaultInterval, type EarlyBirdRule } from './early-bird';
export { shuffleInPlace, shuffleWithinTensors } from './shuffle';
export {
  nextMask,
  getPruningMethod,
  registerPruningMethod,
  pruningMethodNames,
  type NextMaskArgs,
  type NextMaskResult,
  type PruningMethod,
} from './registry';
