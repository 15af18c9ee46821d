/**
 * Iterative magnitude pruning with rewinding (DESIGN §3, the paper's Algorithm 1), one resumable
 * level at a time. Level 0 trains the dense model; level k ≥ 1 trains θ_r ⊙ m_k, where θ_r is θ0
 * (rewindStep 0) or the level-0 weights after `rewindStep` steps. Every level is evaluated (ticket
 * k's score) and its TRAINED weights are pruned, globally by magnitude and nested on m_k, to the
 * next sparsity of the schedule, giving m_{k+1}.
 *
 * runImpLevel is pure given its inputs: a job runner stores each level's mask (and, after level
 * 0, θ_r when rewinding) and resumes at the first unfinished level with the same result as an
 * uninterrupted runImp. Every level trains with the same seed, so level 0 is also the dense
 * baseline of the same budget, and levels differ only in their masks.
 */
import type { ModelConfig } from '../model/config';
import {
  linearSchedule,
  validateSchedule,
  checkScheduleCounts,
  nextMask,
  type Mask,
  type LayerStats,
} from '../pruning';
import type { TaskDefinition } from '../tasks/types';
import type { ExampleByKind, Splits, TaskKind } from '../data';
import type { AdversarialOptions } from '../training/adversarial';
import { TrainingAborted } from '../training';
import { denseMask, checkMaskFits, prunableTensors } from './bridge';
import { evaluateTicket, taskData, type DataOptions, type TicketEvaluation, type TrainingMode } from './evaluate';
import { TicketInvariantError } from './errors';
import { verifyCount, verifyMagnitudeOrder, verifyNested } from './verify';

export interface ImpProgress {
  level: number;
  /** number of levels (schedule length + 1, level 0 dense). */
  levels: number;
  step: number;
  totalSteps: number;
  /** fraction of the whole IMP run done, in [0, 1]. */
  overall: number;
  loss: number;
  lr: number;
}

export interface ImpOptions<K extends TaskKind> {
  /** θ0, the pre-trained encoder weights. */
  theta0: ReadonlyMap<string, Float32Array>;
  config: ModelConfig;
  task: TaskDefinition<K>;
  data: Splits<ExampleByKind[K]> | DataOptions;
  /** sparsities of levels 1…L as fractions of the ORIGINAL prunable count; default 0.1 … 0.9. */
  schedule?: readonly number[];
  /** 0 = rewind to θ0; r > 0 = rewind to the level-0 weights after r steps. */
  rewindStep?: number;
  /**
   * How levels ≥ 1 retrain (Renda et al., ICLR 2020): REWIND_WEIGHTS (default, the paper's):
   * θ_r ⊙ m_k with the full schedule; REWIND_LR: the previous level's TRAINED weights ⊙ m_k with
   * the full learning-rate schedule replayed; FINE_TUNE: the trained weights ⊙ m_k at a small
   * constant rate (FINE_TUNE_LR_FACTOR × the peak, no warm-up).
   */
  retrain?: RetrainRule;
  /** the next-mask rule of core/pruning each level prunes with (default IMP: global magnitude, nested) */
  rule?: string;
  trainingMode?: TrainingMode;
  adversarial?: AdversarialOptions;
  steps?: number;
  lr?: number;
  batchSize?: number;
  seed: number;
  /** start values of the head each level (PRETRAIN: the pre-training heads to continue). */
  headWeights?: Map<string, Float32Array>;
  signal?: AbortSignal;
  onProgress?: (p: ImpProgress) => void;
  /** also return each level's trained encoder weights (e.g. for ONE_SHOT of fine-tuned weights). */
  keepTrainedWeights?: boolean;
}

export interface ImpLevelInput<K extends TaskKind> extends ImpOptions<K> {
  level: number;
  /** m_k: the previous level's nextMask; null (dense) at level 0. */
  mask: Mask | null;
  /** θ_r from level 0's result; required at levels ≥ 1 when rewindStep > 0. */
  rewindWeights?: ReadonlyMap<string, Float32Array> | null;
  /** the previous level's trained weights; required at levels ≥ 1 unless retrain is REWIND_WEIGHTS. */
  trainedBefore?: ReadonlyMap<string, Float32Array> | null;
}

export const RETRAIN_RULES = ['REWIND_WEIGHTS', 'REWIND_LR', 'FINE_TUNE'] as const;
export type RetrainRule = (typeof RETRAIN_RULES)[number];
/** FINE_TUNE's constant rate as a fraction of the peak (the end of a schedule, before its decay to 0). */
export const FINE_TUNE_LR_FACTOR = 0.1;

export interface ImpCounts {
  total: number;
  /** pruned in this level's mask m_k. */
  pruned: number;
  kept: number;
  /** pruned in m_{k+1} (null at the last level). */
  nextPruned: number | null;
  /** pruned by this level's pruning step. */
  newlyPruned: number;
}

export interface ImpLevelResult {
  level: number;
  /** exact sparsity of m_k. */
  sparsity: number;
  mask: Mask;
  layerStats: LayerStats[];
  evaluation: TicketEvaluation;
  /** m_{k+1}, null after the last level. */
  nextMask: Mask | null;
  /** the schedule's sparsity for level k+1 (null after the last level). */
  nextSparsity: number | null;
  counts: ImpCounts;
  /** θ_r recorded by level 0 when rewindStep > 0 (store it: later levels need it). */
  rewindWeights?: Map<string, Float32Array>;
  trainedWeights?: Map<string, Float32Array>;
}

export function resolveSchedule(o: { schedule?: readonly number[] }, total: number): number[] {
  const s = o.schedule ? validateSchedule(o.schedule) : linearSchedule(9, 0.1);
  checkScheduleCounts(s, total);
  return s;
}

export function runImpLevel<K extends TaskKind>(o: ImpLevelInput<K>): ImpLevelResult {
  const dense = denseMask(o.config);
  const schedule = resolveSchedule(o, dense.total);
  const L = schedule.length;
  if (!(Number.isInteger(o.level) && o.level >= 0 && o.level <= L))
    throw new Error(`level must be an integer in [0, ${L}]; got ${o.level}`);
  const rewindStep = o.rewindStep ?? 0;
  if (!(Number.isInteger(rewindStep) && rewindStep >= 0))
    throw new Error(`rewindStep must be a non-negative integer; got ${rewindStep}`);
  const mask = o.mask ?? dense;
  checkMaskFits(mask, o.config);
  if (o.level === 0) {
    if (mask.pruned !== 0) throw new TicketInvariantError('level 0 is dense, but its mask prunes weights');
  } else {
    verifyCount(mask, schedule[o.level - 1], `level ${o.level} mask`);
  }
  const retrain = o.retrain ?? 'REWIND_WEIGHTS';
  if (retrain !== 'REWIND_WEIGHTS' && rewindStep > 0)
    throw new Error(`rewindStep applies to REWIND_WEIGHTS only, not to ${retrain}`);
  let start: ReadonlyMap<string, Float32Array> = o.theta0;
  if (o.level > 0 && rewindStep > 0) {
    if (!o.rewindWeights) throw new Error(`level ${o.level}: rewindStep ${rewindStep} needs level 0's rewindWeights`);
    start = o.rewindWeights;
  }
  if (o.level > 0 && retrain !== 'REWIND_WEIGHTS') {
    if (!o.trainedBefore) throw new Error(`level ${o.level}: ${retrain} needs the previous level's trained weights`);
    start = o.trainedBefore;
  }
  const fineTuneOnly = o.level > 0 && retrain === 'FINE_TUNE';
  const levels = L + 1;
  const result = evaluateTicket({
    theta0: start,
    config: o.config,
    mask: o.level === 0 ? null : mask,
    task: o.task,
    data: o.data,
    trainingMode: o.trainingMode,
    adversarial: o.adversarial,
    steps: o.steps,
    lr: fineTuneOnly ? (o.lr ?? o.task.defaults.lr) * FINE_TUNE_LR_FACTOR : o.lr,
    ...(fineTuneOnly ? { decay: 'constant' as const, warmupFraction: 0 } : {}),
    batchSize: o.batchSize,
    seed: o.seed,
    headWeights: o.headWeights,
    signal: o.signal,
    keepTrainedWeights: true,
    snapshotAtStep: o.level === 0 ? rewindStep : 0,
    onProgress: (step, total, loss, lr) =>
      o.onProgress?.({
        level: o.level,
        levels,
        step,
        totalSteps: total,
        overall: (o.level + step / Math.max(1, total)) / levels,
        loss,
        lr,
      }),
  });
  const trained = result.trainedWeights!;
  const evaluation: TicketEvaluation = { ...result, trainedWeights: undefined, snapshot: undefined };
  let next: Mask | null = null;
  let newlyPruned = 0;
  if (o.level < L) {
    const target = schedule[o.level];
    const weights = prunableTensors(trained, o.config);
    const r = nextMask({ method: o.rule ?? 'IMP', weights, current: mask, targetSparsity: target });
    next = r.mask;
    newlyPruned = r.newlyPruned;
    verifyCount(next, target, `level ${o.level + 1} mask`);
    verifyNested(next, mask, `level ${o.level + 1} mask`);
    verifyMagnitudeOrder(weights, mask, next, `level ${o.level + 1} mask`);
  }
  return {
    level: o.level,
    sparsity: mask.sparsity,
    mask,
    layerStats: mask.layerStats(),
    evaluation,
    nextMask: next,
    nextSparsity: o.level < L ? schedule[o.level] : null,
    counts: {
      total: mask.total,
      pruned: mask.pruned,
      kept: mask.kept,
      nextPruned: next ? next.pruned : null,
      newlyPruned,
    },
    rewindWeights: o.level === 0 && rewindStep > 0 ? result.snapshot : undefined,
    trainedWeights: o.keepTrainedWeights ? trained : undefined,
  };
}

export interface RunImpOptions<K extends TaskKind> extends ImpOptions<K> {
  /** resume: the first level to run and its inputs (stored outputs of the level before). */
  resume?: {
    level: number;
    mask: Mask;
    rewindWeights?: ReadonlyMap<string, Float32Array> | null;
    trainedBefore?: ReadonlyMap<string, Float32Array> | null;
  };
  /** last level to run (default the schedule's last). */
  untilLevel?: number;
  /** before a level trains (e.g. to say which level runs). */
  onLevelStart?: (level: number, levels: number, sparsity: number) => void;
  /** after a level: store its ticket and the checkpoint the next level starts from. */
  onLevel?: (r: ImpLevelResult) => void;
  /** false: results are handed to onLevel only, not kept (a long run holds one level's masks at a time). */
  retainResults?: boolean;
}

/**
 * The whole IMP loop (or its remainder when resuming): the one level loop that tests, scripts and
 * the production worker all run. Results of the levels it ran, in order (none when retainResults
 * is false).
 */
export function runImp<K extends TaskKind>(o: RunImpOptions<K>): ImpLevelResult[] {
  const schedule = resolveSchedule(o, denseMask(o.config).total);
  const L = schedule.length;
  // Generate the data once for all levels.
  const data = Array.isArray((o.data as Splits<ExampleByKind[K]>).train)
    ? o.data
    : taskData(o.task.kind, o.config, o.data as DataOptions);
  let level = o.resume?.level ?? 0;
  let mask: Mask | null = o.resume?.mask ?? null;
  let rewind = o.resume?.rewindWeights ?? null;
  let trainedBefore = o.resume?.trainedBefore ?? null;
  const keepTrained = (o.retrain ?? 'REWIND_WEIGHTS') !== 'REWIND_WEIGHTS';
  const last = o.untilLevel ?? L;
  const out: ImpLevelResult[] = [];
  for (; level <= last; level++) {
    if (o.signal?.aborted) throw new TrainingAborted(0);
    o.onLevelStart?.(level, L + 1, level === 0 ? 0 : schedule[level - 1]);
    const r = runImpLevel({
      ...o,
      data,
      level,
      mask,
      rewindWeights: rewind,
      trainedBefore,
      keepTrainedWeights: o.keepTrainedWeights || keepTrained,
    });
    if (level === 0 && r.rewindWeights) rewind = r.rewindWeights;
    if (keepTrained) trainedBefore = r.trainedWeights!;
    if (o.retainResults !== false) out.push(r);
    o.onLevel?.(r);
    mask = r.nextMask;
  }
  return out;
}
