/**
 * Instability analysis by linear mode connectivity (Frankle et al., ICML 2020): two copies of a
 * masked network start from the same θ_r — the dense model's weights after r steps of its
 * fine-tune from θ0 (r = 0: θ0 itself) — and the same task head, and train with different data
 * orders (and dropout draws). The network is stable at r when the straight line between the two
 * trained copies keeps their score: the error barrier is how much worse the worst of 11 evenly
 * spaced interpolations is than the mean of the two ends (in the task's primary metric; ≥ 0 means
 * a barrier, about 0 means linearly connected). Encoder and head are interpolated together;
 * pruned weights are 0 in both copies and so on the whole line. Pure given its inputs and seeds.
 */
import type { ModelConfig } from '../model/config';
import type { ParamMap } from '../model/types';
import { variableFrom } from '../model/layers';
import { encoderFromWeights, snapshotWeights } from '../model/uniter';
import type { Mask } from '../pruning';
import { Rng } from '../rng';
import type { TaskDefinition } from '../tasks/types';
import type { ExampleByKind, Splits, TaskKind } from '../data';
import { fineTune } from '../training';
import { applyMaskToWeights, checkMaskFits, prunableTensors, toWeightMask, verifyPrunedZero } from './bridge';
import { lowerIsBetter, taskData, type DataOptions } from './evaluate';
import { denseFineTuneUntil } from './stoppable';

export const INSTABILITY_POINTS = 11;

export interface InstabilityOptions<K extends TaskKind> {
  theta0: ReadonlyMap<string, Float32Array>;
  config: ModelConfig;
  /** the ticket's mask; null = the dense network */
  mask: Mask | null;
  task: TaskDefinition<K>;
  data: Splits<ExampleByKind[K]> | DataOptions;
  /** r: steps of the dense fine-tune whose weights both copies start from (0 = θ0) */
  rewindStep: number;
  /** each copy's training steps (and the length of the dense schedule θ_r is taken from) */
  steps: number;
  lr?: number;
  batchSize?: number;
  /** the two copies' data orders; seeds[0] also draws the shared head and θ_r's training */
  seeds: [number, number];
  headWeights?: Map<string, Float32Array>;
  signal?: AbortSignal;
  /** also return the two trained copies (to check the line's ends against them) */
  keepCopies?: boolean;
  /** phase: 'rewind' (θ_r), 'copy 1', 'copy 2' */
  onProgress?: (phase: string, step: number, total: number, loss: number, lr: number) => void;
}

export interface InstabilityResult {
  rewindStep: number;
  /** 0, 0.1, …, 1: the weight of copy 2 */
  alphas: number[];
  /** the primary metric of each interpolation on the test split */
  scores: number[];
  /** worse-than-the-ends gap: mean(ends) − min (higher-is-better metrics) or max − mean(ends) (losses) */
  barrier: number;
  lowerIsBetter: boolean;
  copies?: Array<{
    encoder: Map<string, Float32Array>;
    head: Map<string, Float32Array>;
    shapes: Map<string, number[]>;
  }>;
}

type Weights = Map<string, Float32Array>;

function headParams(weights: Weights, shapes: Map<string, number[]>): ParamMap {
  return new Map([...weights].map(([n, w]) => [n, variableFrom(w, shapes.get(n)!)]));
}

/** (1 − α)·a + α·b, element by element; α = 0 and α = 1 give a and b exactly. */
export function lerpWeights(
  a: ReadonlyMap<string, Float32Array>,
  b: ReadonlyMap<string, Float32Array>,
  alpha: number,
): Weights {
  const out: Weights = new Map();
  for (const [name, x] of a) {
    const y = b.get(name);
    if (!y || y.length !== x.length) throw new Error(`interpolation: ${name} differs in the two networks`);
    if (alpha === 0) out.set(name, x.slice());
    else if (alpha === 1) out.set(name, y.slice());
    else
      out.set(
        name,
        x.map((v, i) => (1 - alpha) * v + alpha * y[i]),
      );
  }
  return out;
}

/** The test score of an encoder and head given as host weights. */
export function scoreOf<K extends TaskKind>(
  o: Pick<InstabilityOptions<K>, 'config' | 'task'>,
  test: readonly ExampleByKind[K][],
  encoderWeights: Weights,
  head: Weights,
  headShapes: Map<string, number[]>,
): number {
  const encoder = encoderFromWeights(o.config, encoderWeights);
  const h = headParams(head, headShapes);
  try {
    const score = o.task.evaluate(encoder, h, [...test])[o.task.metrics[0]];
    if (!Number.isFinite(score)) throw new Error(`task ${o.task.kind} returned no finite ${o.task.metrics[0]}`);
    return score;
  } finally {
    encoder.dispose();
    for (const v of h.values()) v.dispose();
  }
}

/** θ_r: the dense fine-tune of `steps` from θ0 (its full schedule), stopped after r steps. */
function rewindPoint<K extends TaskKind>(o: InstabilityOptions<K>, data: Splits<ExampleByKind[K]>): Weights {
  if (o.rewindStep === 0) return new Map(o.theta0);
  let at: Weights | null = null;
  denseFineTuneUntil({
    ...o,
    data,
    seed: o.seeds[0],
    afterStep: (step, _total, loss, lr, encoder) => {
      o.onProgress?.('rewind', step, o.rewindStep, loss, lr);
      if (step !== o.rewindStep) return false;
      at = snapshotWeights(encoder.params);
      return true;
    },
  });
  return at!;
}

export function instabilityAnalysis<K extends TaskKind>(o: InstabilityOptions<K>): InstabilityResult {
  if (!(Number.isInteger(o.rewindStep) && o.rewindStep >= 0 && o.rewindStep <= o.steps))
    throw new Error(`rewindStep must be an integer in 0..${o.steps}; got ${o.rewindStep}`);
  if (o.seeds[0] === o.seeds[1]) throw new Error('the two copies need different seeds (data orders)');
  if (o.mask) checkMaskFits(o.mask, o.config);
  const data = Array.isArray((o.data as Splits<ExampleByKind[K]>).train)
    ? (o.data as Splits<ExampleByKind[K]>)
    : taskData(o.task.kind, o.config, o.data as DataOptions);
  const start = rewindPoint(o, data);
  const masked = o.mask ? applyMaskToWeights(start, o.mask) : start;
  // One head for both copies, so they differ only in data order and dropout draws.
  const freshHead = o.task.initHead(o.config, new Rng(o.seeds[0]).fork(7));
  const head0 = o.headWeights ?? snapshotWeights(freshHead);
  for (const v of freshHead.values()) v.dispose();
  const wm = o.mask ? toWeightMask(o.mask) : null;
  const copies: Array<{ encoder: Weights; head: Weights; shapes: Map<string, number[]> }> = [];
  try {
    for (const [i, seed] of o.seeds.entries()) {
      const encoder = encoderFromWeights(o.config, new Map(masked));
      try {
        const r = fineTune({
          encoder,
          task: o.task,
          data: { ...data, val: [] },
          steps: o.steps,
          lr: o.lr,
          batchSize: o.batchSize,
          seed,
          headWeights: head0,
          mask: wm?.weightMask,
          signal: o.signal,
          skipTest: true,
          onProgress: (step, total, loss, lr) => o.onProgress?.(`copy ${i + 1}`, step, total, loss, lr),
        });
        if (o.mask) verifyPrunedZero(prunableTensors(r.finalWeights, o.config), o.mask, `copy ${i + 1} after training`);
        copies.push({ encoder: r.finalWeights, head: r.headWeights, shapes: r.headShapes });
      } finally {
        encoder.dispose();
      }
    }
  } finally {
    wm?.dispose();
  }
  const [a, b] = copies;
  const alphas = Array.from({ length: INSTABILITY_POINTS }, (_, i) => i / (INSTABILITY_POINTS - 1));
  const scores = alphas.map((alpha) =>
    scoreOf(o, data.test, lerpWeights(a.encoder, b.encoder, alpha), lerpWeights(a.head, b.head, alpha), a.shapes),
  );
  const ends = (scores[0] + scores[scores.length - 1]) / 2;
  const lower = lowerIsBetter(o.task.kind);
  const barrier = lower ? Math.max(...scores) - ends : ends - Math.min(...scores);
  return {
    rewindStep: o.rewindStep,
    alphas,
    scores,
    barrier,
    lowerIsBetter: lower,
    copies: o.keepCopies ? copies : undefined,
  };
}
