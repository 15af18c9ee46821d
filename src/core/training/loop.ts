/**
 * The step loop shared by fine-tuning and pre-training: seeded batch order and dropout, AdamW
 * with warm-up/decay and clipping, optional weight mask, periodic validation, prompt abort.
 * Everything random derives from `seed`, so seed + params + backend fix the result.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import type { EncodeOptions, Encoder, ParamMap } from '../model/types';
import type { TaskDefinition } from '../tasks/types';
import type { ExampleByKind, TaskKind } from '../data/types';
import { isNoDecay } from '../model/names';
import { AdamW } from './adamw';
import { linearWarmupDecay, warmupConstant } from './schedule';
import { applyMask, checkMask, type WeightMask } from './mask';

export class TrainingAborted extends Error {
  constructor(readonly step: number) {
    super(`training aborted at step ${step}`);
    this.name = 'AbortError';
  }
}

export type ProgressFn = (
  step: number,
  totalSteps: number,
  loss: number,
  lr: number,
  metrics?: Record<string, number>,
) => void;

export interface LoopOptions<K extends TaskKind> {
  encoder: Encoder;
  task: TaskDefinition<K>;
  head: ParamMap;
  train: readonly ExampleByKind[K][];
  val?: readonly ExampleByKind[K][];
  steps: number;
  lr: number;
  batchSize: number;
  seed: number;
  /** validate every this many steps (and after the last); 0 = only after the last. */
  evalEvery?: number;
  /** fraction of steps spent warming up (default 0.1, UNITER's usual ratio). */
  warmupFraction?: number;
  /**
   * 'linear' (default): linear warm-up then linear decay to 0 (UNITER fine-tuning);
   * 'constant': linear warm-up then the peak rate to the end.
   */
  decay?: 'linear' | 'constant';
  weightDecay?: number;
  /** global gradient-norm limit (default 2.0, UNITER's grad_norm). */
  clipNorm?: number;
  /** masks over encoder (or head) parameters; masked weights stay exactly 0. */
  mask?: WeightMask;
  /** parameters frozen (not updated) — e.g. for analyses; default none. */
  frozen?: (name: string) => boolean;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
  /**
   * Replaces task.loss as the training objective (e.g. adversarial training: clean + adversarial
   * CE + symmetric KL); called inside the gradient tape with the step's seeded options.
   */
  objective?: Objective<K>;
}

export type Objective<K extends TaskKind> = (
  encoder: Encoder,
  head: ParamMap,
  batch: ExampleByKind[K][],
  opts: EncodeOptions & { rng: Rng },
) => tf.Scalar;

export interface LoopResult {
  /** mean training loss of each step. */
  lossHistory: number[];
  valHistory: Array<{ step: number; metrics: Record<string, number> }>;
}

/** Index stream over the training set: a fresh seeded permutation every epoch. */
class BatchOrder {
  private perm: number[] = [];
  private pos = 0;
  constructor(
    private readonly n: number,
    private readonly rng: Rng,
  ) {}
  next(size: number): number[] {
    const out: number[] = [];
    while (out.length < size) {
      if (this.pos >= this.perm.length) {
        this.perm = this.rng.shuffle(Array.from({ length: this.n }, (_, i) => i));
        this.pos = 0;
      }
      out.push(this.perm[this.pos++]);
    }
    return out;
  }
}

export function runLoop<K extends TaskKind>(o: LoopOptions<K>): LoopResult {
  if (!(o.steps >= 0 && Number.isInteger(o.steps))) throw new Error('steps must be a non-negative integer');
  if (!(o.batchSize >= 1 && Number.isInteger(o.batchSize))) throw new Error('batchSize must be a positive integer');
  if (o.train.length === 0 && o.steps > 0) throw new Error('no training examples');
  const params: ParamMap = new Map([...o.encoder.params, ...o.head]);
  if (o.mask) {
    checkMask(params, o.mask);
    applyMask(params, o.mask); // train m ⊙ θ from the first step
  }
  const trainable: ParamMap = new Map([...params].filter(([n]) => !o.frozen?.(n)));
  const vars = [...trainable.values()];
  const names = new Map(vars.map((v, i) => [v.name, [...trainable.keys()][i]]));
  const rng = new Rng(o.seed);
  const order = new BatchOrder(o.train.length, rng.fork(1));
  const stepRng = rng.fork(2);
  const warmup = Math.round((o.warmupFraction ?? 0.1) * o.steps);
  const opt = new AdamW({ weightDecay: o.weightDecay ?? 0.01, clipNorm: o.clipNorm ?? 2.0, noDecay: isNoDecay });
  const result: LoopResult = { lossHistory: [], valHistory: [] };
  const evalEvery = o.evalEvery ?? 0;
  try {
    for (let step = 0; step < o.steps; step++) {
      if (o.signal?.aborted) throw new TrainingAborted(step);
      const batch = order.next(o.batchSize).map((i) => o.train[i]);
      const dropoutSeed = stepRng.nextU32();
      const taskRng = stepRng.fork(step);
      const lr =
        o.decay === 'constant' ? warmupConstant(step, o.lr, warmup) : linearWarmupDecay(step, o.steps, o.lr, warmup);
      const stepOpts = { training: true, dropoutSeed, rng: taskRng };
      const { value, grads } = tf.variableGrads(
        () =>
          o.objective
            ? o.objective(o.encoder, o.head, batch, stepOpts)
            : o.task.loss(o.encoder, o.head, batch, stepOpts).loss,
        vars,
      );
      const byName = new Map(Object.entries(grads).map(([varName, g]) => [names.get(varName)!, g]));
      opt.step(trainable, byName, lr, o.mask);
      const loss = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads)]);
      if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at step ${step + 1}`);
      result.lossHistory.push(loss);
      const done = step + 1;
      let metrics: Record<string, number> | undefined;
      if (o.val && o.val.length > 0 && ((evalEvery > 0 && done % evalEvery === 0) || done === o.steps)) {
        metrics = o.task.evaluate(o.encoder, o.head, o.val as ExampleByKind[K][]);
        result.valHistory.push({ step: done, metrics });
      }
      o.onProgress?.(done, o.steps, loss, lr, metrics);
    }
    if (o.signal?.aborted) throw new TrainingAborted(o.steps);
  } finally {
    opt.dispose();
  }
  return result;
}
