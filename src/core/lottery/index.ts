/** The lottery-ticket engine (DESIGN §3): evaluation of masks, IMP with rewinding, baselines. */
export { TicketInvariantError } from './errors';
export {
  prunableLayout,
  denseMask,
  checkMaskFits,
  prunableTensors,
  prunableFromParams,
  toWeightMask,
  applyMaskToWeights,
  verifyRewound,
  verifyPrunedZero,
} from './bridge';
export { initialWeights, WEIGHT_INITS, type WeightInit, type ShuffleScope, type InitOptions } from './init';
export {
  evaluateTicket,
  relativeScore,
  lowerIsBetter,
  taskData,
  TRAINING_MODES,
  type TrainingMode,
  type EvaluateOptions,
  type TicketEvaluation,
  type DataOptions,
} from './evaluate';
export {
  runImpLevel,
  runImp,
  resolveSchedule,
  type ImpOptions,
  type ImpLevelInput,
  type ImpLevelResult,
  type ImpCounts,
  type ImpProgress,
  type RunImpOptions,
  RETRAIN_RULES,
  FINE_TUNE_LR_FACTOR,
  type RetrainRule,
} from './imp';
export {
  runBaseline,
  oneShotMask,
  randomMask,
  type BaselineOptions,
  type BaselineResult,
  type OneShotSource,
} from './baselines';
export { verifyCount, verifyNested, verifyMagnitudeOrder } from './verify';
export { earlyBirdSearch, type EarlyBirdOptions, type EarlyBirdResult } from './early-bird';
export {
  instabilityAnalysis,
  lerpWeights,
  scoreOf,
  INSTABILITY_POINTS,
  type InstabilityOptions,
  type InstabilityResult,
} from './instability';
