/**
 * Fine-tuning one task (and pre-training, which is the same loop on PRETRAIN with a head that
 * persists across calls). The encoder is trained in place; its final weights are also returned
 * as host copies so callers (IMP, evaluation jobs) can store or prune them.
 */
import { Rng } from '../rng';
import type { Encoder, ParamMap } from '../model/types';
import type { TaskDefinition } from '../tasks/types';
import type { ExampleByKind, Splits, TaskKind } from '../data/types';
import { snapshotWeights } from '../model/uniter';
import { variableFrom } from '../model/layers';
import { runLoop, TrainingAborted, type LoopOptions, type Objective, type ProgressFn } from './loop';
import type { WeightMask } from './mask';

export interface FineTuneOptions<K extends TaskKind> {
  encoder: Encoder;
  task: TaskDefinition<K>;
  data: Splits<ExampleByKind[K]>;
  /** defaults to task.defaults.steps / lr / batchSize. */
  steps?: number;
  lr?: number;
  batchSize?: number;
  seed: number;
  evalEvery?: number;
  warmupFraction?: number;
  /** learning-rate decay after warm-up (see LoopOptions.decay); default 'linear'. */
  decay?: 'linear' | 'constant';
  weightDecay?: number;
  clipNorm?: number;
  /**
   * Head start values (e.g. a pre-training head to continue); default a fresh
   * task.initHead(config, rng) drawn from `seed`, the same for the same seed.
   */
  headWeights?: Map<string, Float32Array>;
  mask?: WeightMask;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
  /** replaces task.loss as the training objective (see LoopOptions.objective). */
  objective?: Objective<K>;
  /** skip the final test evaluation (pre-training corpora have no use for it); default false. */
  skipTest?: boolean;
}

export interface FineTuneResult {
  /** all of the task's metrics on the test split (empty when skipTest). */
  metrics: Record<string, number>;
  valHistory: Array<{ step: number; metrics: Record<string, number> }>;
  lossHistory: number[];
  /** encoder weights after training (host copies, UNITER names). */
  finalWeights: Map<string, Float32Array>;
  /** head weights after training, and their shapes. */
  headWeights: Map<string, Float32Array>;
  headShapes: Map<string, number[]>;
}

function headFrom(weights: Map<string, Float32Array>, like: ParamMap): ParamMap {
  const head: ParamMap = new Map();
  for (const [name, v] of like) {
    const w = weights.get(name);
    if (!w || w.length !== v.size) throw new Error(`head weights lack ${name} or have the wrong size`);
    head.set(name, variableFrom(w, v.shape));
  }
  return head;
}

export function fineTune<K extends TaskKind>(o: FineTuneOptions<K>): FineTuneResult {
  const rng = new Rng(o.seed);
  let head = o.task.initHead(o.encoder.config, rng.fork(7));
  if (o.headWeights) {
    const fresh = head;
    try {
      head = headFrom(o.headWeights, fresh);
    } finally {
      for (const v of fresh.values()) v.dispose();
    }
  }
  try {
    const loop: LoopOptions<K> = {
      encoder: o.encoder,
      task: o.task,
      head,
      train: o.data.train,
      val: o.data.val,
      steps: o.steps ?? o.task.defaults.steps,
      lr: o.lr ?? o.task.defaults.lr,
      batchSize: o.batchSize ?? o.task.defaults.batchSize,
      seed: rng.nextU32(),
      evalEvery: o.evalEvery,
      warmupFraction: o.warmupFraction,
      decay: o.decay,
      weightDecay: o.weightDecay,
      clipNorm: o.clipNorm,
      mask: o.mask,
      onProgress: o.onProgress,
      signal: o.signal,
      objective: o.objective,
    };
    const { lossHistory, valHistory } = runLoop(loop);
    if (o.signal?.aborted) throw new TrainingAborted(loop.steps);
    const metrics = o.skipTest || o.data.test.length === 0 ? {} : o.task.evaluate(o.encoder, head, o.data.test);
    return {
      metrics,
      valHistory,
      lossHistory,
      finalWeights: snapshotWeights(o.encoder.params),
      headWeights: snapshotWeights(head),
      headShapes: new Map([...head].map(([n, v]) => [n, [...v.shape]])),
    };
  } finally {
    for (const v of head.values()) v.dispose();
  }
}

/**
 * Pre-training (or continued pre-training under a mask, for pre-training tickets) on a
 * PRETRAIN task definition. Same loop; pass the previous headWeights to continue a run.
 */
export function pretrain(
  o: Omit<FineTuneOptions<'PRETRAIN'>, 'skipTest'> & { task: TaskDefinition<'PRETRAIN'> },
): FineTuneResult {
  return fineTune({ ...o, skipTest: true });
}

export { TrainingAborted };
export type { ProgressFn };
