/**
 * A dense fine-tune from θ0 that its caller may stop after any step (Early-Bird stops when its
 * masks settle, instability analysis at the rewind step θ_r): the schedule is the full budget's,
 * so the weights at step r are those of the unstopped run at r. An outside abort still aborts.
 */
import type { ModelConfig } from '../model/config';
import type { Encoder } from '../model/types';
import { encoderFromWeights } from '../model/uniter';
import type { TaskDefinition } from '../tasks/types';
import type { ExampleByKind, Splits, TaskKind } from '../data';
import { fineTune, TrainingAborted } from '../training';

export interface StoppableOptions<K extends TaskKind> {
  theta0: ReadonlyMap<string, Float32Array>;
  config: ModelConfig;
  task: TaskDefinition<K>;
  data: Splits<ExampleByKind[K]>;
  steps: number;
  lr?: number;
  batchSize?: number;
  seed: number;
  headWeights?: Map<string, Float32Array>;
  signal?: AbortSignal;
  /** after each step, with the encoder being trained; true stops the fine-tune there */
  afterStep: (step: number, total: number, loss: number, lr: number, encoder: Encoder) => boolean;
}

/** Runs until afterStep says stop or the budget is spent; true when afterStep stopped it. */
export function denseFineTuneUntil<K extends TaskKind>(o: StoppableOptions<K>): boolean {
  const encoder = encoderFromWeights(o.config, new Map(o.theta0)); // a new Map over the same arrays: nothing copied
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  let stopped = false;
  try {
    fineTune({
      encoder,
      task: o.task,
      data: { ...o.data, val: [] },
      steps: o.steps,
      lr: o.lr,
      batchSize: o.batchSize,
      seed: o.seed,
      headWeights: o.headWeights,
      signal,
      skipTest: true,
      onProgress: (step, total, loss, lr) => {
        if (!stopped && o.afterStep(step, total, loss, lr, encoder)) {
          stopped = true;
          stop.abort();
        }
      },
    });
  } catch (e) {
    if (!(e instanceof TrainingAborted && stopped && !o.signal?.aborted)) throw e;
  } finally {
    encoder.dispose();
  }
  if (o.signal?.aborted) throw new TrainingAborted(0);
  return stopped;
}
