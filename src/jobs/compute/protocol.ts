/**
 * Messages between a job (main thread) and its compute thread. The core's training loop is
 * synchronous, so it runs in a worker thread: the main thread stays free to heartbeat, persist,
 * publish events and notice a cancel, and can stop the computation at once (terminate).
 */
import type { ModelConfig } from '../../core/model/config';
import type { TaskKind } from '../../core/data';

export type WeightsRef = { kind: 'builtin' } | { kind: 'file'; weights: string; head: string };

export interface TrainSettings {
  steps: number;
  lr?: number;
  batchSize?: number;
  trainingMode: 'STANDARD' | 'ADVERSARIAL';
}

export interface DataSettings {
  seed: number;
  train?: number;
  test?: number;
  /** an imported dataset's stored files (instead of generated SyntheticVL data), and its answer classes. */
  imported?: { annotations: string; regions: string; numAnswers: number };
}

export interface ImpSpec {
  job: 'IMP';
  /** the next-mask rule of the levels search method (IMP's: global magnitude) */
  rule: string;
  config: ModelConfig;
  weights: WeightsRef;
  task: TaskKind;
  data: DataSettings;
  train: TrainSettings;
  schedule: number[];
  rewindStep: number;
  /** how levels ≥ 1 retrain (core/lottery/imp.ts RetrainRule) */
  retrain: 'REWIND_WEIGHTS' | 'REWIND_LR' | 'FINE_TUNE';
  seed: number;
  /**
   * first level to run with its mask m_k (packed), when rewinding θ_r, and for REWIND_LR /
   * FINE_TUNE the previous level's trained weights (safetensors).
   */
  resume: { level: number; mask: Uint8Array; rewind: Uint8Array | null; trained: Uint8Array | null } | null;
}

export interface BaselineSpec {
  job: 'BASELINE';
  /** an `independent` search method */
  method: string;
  config: ModelConfig;
  weights: WeightsRef;
  task: TaskKind;
  data: DataSettings;
  train: TrainSettings;
  /** sparsities still to do. */
  sparsities: number[];
  seed: number;
  /** steps done by earlier (stored) parts of the run, and steps of the whole run. */
  stepOffset: number;
  totalSteps: number;
}

export interface EarlyBirdSpec {
  job: 'EARLY_BIRD';
  config: ModelConfig;
  weights: WeightsRef;
  task: TaskKind;
  data: DataSettings;
  /** the tickets' fine-tunes */
  train: TrainSettings;
  /** the search: a dense fine-tune of `steps` stopped by the rule */
  search: { steps: number; interval: number; window: number; tolerance: number };
  /** every target sparsity of the run, ascending */
  sparsities: number[];
  seed: number;
  /** the stored search (resume): its masks in the order of `sparsities` (packed); null = search first */
  searched: Uint8Array[] | null;
  /** sparsities still to fine-tune */
  remaining: number[];
  stepOffset: number;
  totalSteps: number;
}

export interface InstabilitySpec {
  job: 'INSTABILITY';
  config: ModelConfig;
  weights: WeightsRef;
  task: TaskKind;
  data: DataSettings;
  /** each copy's training (STANDARD) */
  train: TrainSettings;
  /** packed mask, null = dense */
  mask: Uint8Array | null;
  /** rewind steps still to analyse */
  rewindSteps: number[];
  seeds: [number, number];
  stepOffset: number;
  totalSteps: number;
}

export interface EvaluateSpec {
  job: 'EVALUATE';
  config: ModelConfig;
  weights: WeightsRef;
  task: TaskKind;
  data: DataSettings;
  train: TrainSettings;
  weightInit: 'PRETRAINED' | 'SHUFFLED' | 'RANDOM';
  /** packed mask, null = dense. */
  mask: Uint8Array | null;
  /** seeds still to do. */
  seeds: number[];
  stepOffset: number;
  totalSteps: number;
}

export interface PretrainSpec {
  job: 'PRETRAIN';
  config: ModelConfig;
  data: DataSettings;
  steps: number;
  lr?: number;
  batchSize?: number;
  seed: number;
}

export type ComputeSpec = ImpSpec | BaselineSpec | EarlyBirdSpec | EvaluateSpec | InstabilitySpec | PretrainSpec;

export interface EvaluationResult {
  metrics: Record<string, number>;
  score: number;
  seed: number;
  steps: number;
}

export type ComputeMessage =
  | { type: 'ready'; backend: string; device: string; kernels: string }
  | { type: 'phase'; phase: string; at: number }
  /** one optimiser step; step/totalSteps count over the whole run. */
  | { type: 'progress'; step: number; totalSteps: number; progress: number; loss: number; lr: number; at: number }
  | {
      type: 'level';
      level: number;
      sparsity: number;
      mask: Uint8Array;
      evaluation: EvaluationResult;
      nextLevel: number;
      nextMask: Uint8Array | null;
      rewind: Uint8Array | null;
      /** REWIND_LR / FINE_TUNE: this level's trained weights, the next level's start (null after the last) */
      trained: Uint8Array | null;
      step: number;
    }
  | { type: 'baseline'; sparsity: number; mask: Uint8Array; evaluation: EvaluationResult; step: number }
  /** an Early-Bird draw: the distance of each target sparsity's mask to the previous draw's */
  | { type: 'draw'; step: number; distances: number[]; windowMax: number; at: number }
  /** the Early-Bird search ended: its masks (packed, in the order of the spec's sparsities) */
  | {
      type: 'searched';
      masks: Uint8Array[];
      steps: number;
      converged: boolean;
      draws: number;
      windowMax: number;
      seconds: number;
    }
  | { type: 'evaluation'; evaluation: EvaluationResult; step: number }
  | {
      type: 'instability';
      rewindStep: number;
      alphas: number[];
      scores: number[];
      barrier: number;
      lowerIsBetter: boolean;
      step: number;
    }
  | { type: 'pretrained'; weights: Uint8Array; head: Uint8Array; firstLoss: number; lastLoss: number; step: number }
  | { type: 'done' }
  | { type: 'failed'; message: string };
