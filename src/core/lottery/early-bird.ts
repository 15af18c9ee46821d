/**
 * The Early-Bird search (You et al., ICLR 2020): train the dense model from θ0 and draw the global
 * magnitude mask of the CURRENT weights at every target sparsity each `interval` steps; stop at
 * the first draw after which the last `window` draws moved the masks by less than `tolerance`
 * (core/pruning/early-bird.ts), or when the search budget is spent. The masks of the stopping
 * draw are the tickets: applied to θ0 and fine-tuned like any other ticket (evaluateTicket), so
 * the search's cost is the steps to the stop, not a full fine-tune per level as in IMP.
 * Pure given its inputs and seed: the same options stop at the same step with the same masks.
 */
import type { ModelConfig } from '../model/config';
import type { Encoder } from '../model/types';
import { EarlyBirdStop, maskDistance, nextMask, type EarlyBirdRule, type Mask } from '../pruning';
import type { TaskDefinition } from '../tasks/types';
import type { ExampleByKind, Splits, TaskKind } from '../data';
import type { ProgressFn } from '../training';
import { denseMask, prunableFromParams } from './bridge';
import { taskData, type DataOptions } from './evaluate';
import { denseFineTuneUntil } from './stoppable';
import { verifyCount } from './verify';

export interface EarlyBirdOptions<K extends TaskKind> extends EarlyBirdRule {
  theta0: ReadonlyMap<string, Float32Array>;
  config: ModelConfig;
  task: TaskDefinition<K>;
  data: Splits<ExampleByKind[K]> | DataOptions;
  /** target sparsities (fractions of the prunable count), each drawn at every draw */
  sparsities: readonly number[];
  /** steps between draws */
  interval: number;
  /** the search's budget: the dense fine-tune it stops early (its learning-rate schedule spans these) */
  steps: number;
  lr?: number;
  batchSize?: number;
  seed: number;
  headWeights?: Map<string, Float32Array>;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** after each draw past the first: the distance to the previous draw, per sparsity */
  onDraw?: (step: number, distances: number[], windowMax: number) => void;
}

export interface EarlyBirdResult {
  /** the stopping draw's masks, in the order of `sparsities` */
  masks: Mask[];
  /** training steps spent by the search (the step of the stopping draw) */
  steps: number;
  /** true: the rule stopped it; false: the budget ran out first (the last draw's masks are taken) */
  converged: boolean;
  draws: number;
  /** the largest distance over the final window */
  windowMax: number;
}

export function earlyBirdSearch<K extends TaskKind>(o: EarlyBirdOptions<K>): EarlyBirdResult {
  if (!(Number.isInteger(o.interval) && o.interval >= 1)) throw new Error('interval must be a positive integer');
  if (!(Number.isInteger(o.steps) && o.steps >= o.interval))
    throw new Error(`the search budget (${o.steps} steps) must hold at least one interval (${o.interval})`);
  if (!o.sparsities.length) throw new Error('at least one target sparsity');
  const rule = new EarlyBirdStop(o);
  const data = Array.isArray((o.data as Splits<ExampleByKind[K]>).train)
    ? (o.data as Splits<ExampleByKind[K]>)
    : taskData(o.task.kind, o.config, o.data as DataOptions);
  const dense = denseMask(o.config);
  let last: Mask[] | null = null;
  let draws = 0;
  let stoppedAt = 0;
  let converged = false;
  const draw = (step: number, encoder: Encoder): boolean => {
    const weights = prunableFromParams(encoder.params, o.config);
    const masks = o.sparsities.map((s) => {
      const m = nextMask({ method: 'ONE_SHOT', weights, current: dense, targetSparsity: s }).mask;
      verifyCount(m, s, `early-bird mask at step ${step}`);
      return m;
    });
    draws++;
    if (last) {
      const distances = masks.map((m, i) => maskDistance(m, last![i]));
      converged = rule.draw(distances);
      o.onDraw?.(step, distances, rule.windowMax);
    }
    last = masks;
    stoppedAt = step;
    return converged;
  };
  denseFineTuneUntil({
    ...o,
    data,
    afterStep: (step, total, loss, lr, encoder) => {
      o.onProgress?.(step, total, loss, lr);
      return step % o.interval === 0 || step === total ? draw(step, encoder) : false;
    },
  });
  return { masks: last!, steps: stoppedAt, converged, draws, windowMax: rule.windowMax };
}
