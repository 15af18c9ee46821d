export { fineTune, pretrain, type FineTuneOptions, type FineTuneResult } from './finetune';
export { runLoop, TrainingAborted, type LoopOptions, type LoopResult, type ProgressFn, type Objective } from './loop';
export { AdamW, type AdamWOptions } from './adamw';
export { linearWarmupDecay, warmupConstant } from './schedule';
export { applyMask, checkMask, maskTensor, type WeightMask } from './mask';
