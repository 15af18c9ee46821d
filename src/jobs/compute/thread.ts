/**
 * Computation entry (a worker thread, or a forked process): loads θ0, generates the task data, runs the core (IMP levels, baselines,
 * evaluations, pre-training) and posts each finished unit to the main thread, which stores it.
 * It stores nothing itself: if it is terminated (cancel, lost claim), nothing half-done is kept.
 */
import { existsSync, readFileSync } from 'fs';
import { initBackend } from '../../core/backend';
import type { TaskKind } from '../../core/data';
import { importedSplits } from '../../core/data/imported';
import {
  earlyBirdSearch,
  evaluateTicket,
  instabilityAnalysis,
  prunableLayout,
  runBaseline,
  runImp,
  taskData,
  type DataOptions,
} from '../../core/lottery';
import { loadBuiltinModel } from '../../core/model/builtin';
import type { ModelConfig } from '../../core/model/config';
import { encoderParamSpecs } from '../../core/model/names';
import { createEncoder } from '../../core/model/uniter';
import { decodeEncoderWeights, encodeEncoderWeights, loadEncoderWeightsFile } from '../../core/model/weights';
import { decodeSafetensors, encodeSafetensors } from '../../core/io/safetensors';
import { Mask } from '../../core/pruning';
import { Rng } from '../../core/rng';
import { createTaskRegistry, getTask } from '../../core/tasks/registry';
import { pretrain } from '../../core/training';
import { post, receiveJob } from './channel';
import { stepReporter } from './progress';
import type {
  BaselineSpec,
  DataSettings,
  EarlyBirdSpec,
  EvaluateSpec,
  ImpSpec,
  InstabilitySpec,
  PretrainSpec,
  WeightsRef,
} from './protocol';

const phase = (p: string): void => post({ type: 'phase', phase: p, at: Date.now() });

interface Theta0 {
  weights: Map<string, Float32Array>;
  head: Map<string, Float32Array> | undefined;
}

function loadTheta0(ref: WeightsRef, config: ModelConfig): Theta0 {
  if (ref.kind === 'builtin') {
    const m = loadBuiltinModel();
    return { weights: m.weights, head: m.pretrainHead.size ? m.pretrainHead : undefined };
  }
  const weights = loadEncoderWeightsFile(ref.weights, config).weights;
  let head: Map<string, Float32Array> | undefined;
  if (existsSync(ref.head)) {
    head = new Map();
    for (const [name, t] of decodeSafetensors(readFileSync(ref.head)).tensors) head.set(name, t.data as Float32Array);
  }
  return { weights, head };
}

function dataOptions(d: DataSettings): DataOptions {
  const sizes: { train?: number; val: number; test?: number } = { val: 0 };
  if (d.train !== undefined) sizes.train = d.train;
  if (d.test !== undefined) sizes.test = d.test;
  return { seed: d.seed, sizes };
}

/** The run's examples: an imported dataset's stored files, or the generated SyntheticVL splits. */
function dataFor(kind: TaskKind, config: ModelConfig, d: DataSettings) {
  if (d.imported)
    return importedSplits(kind, readFileSync(d.imported.annotations, 'utf8'), readFileSync(d.imported.regions));
  return taskData(kind, config, dataOptions(d));
}

/** The task definition; an imported VQA/GQA dataset sizes the answer head by its own answer list. */
function taskFor(kind: TaskKind, d: DataSettings) {
  if (d.imported && (kind === 'VQA' || kind === 'GQA'))
    return createTaskRegistry({ VQA: d.imported.numAnswers, GQA: d.imported.numAnswers })[kind];
  return getTask(kind);
}

function encodeWeights(config: ModelConfig, w: ReadonlyMap<string, Float32Array>): Uint8Array {
  return encodeSafetensors(
    encoderParamSpecs(config).map((s) => ({
      name: s.name,
      dtype: 'F32' as const,
      shape: [...s.shape],
      data: w.get(s.name)!,
    })),
  );
}

/** What every fine-tuning job starts from: θ0 (and its pre-training head), the task, its examples. */
function inputsOf(s: { weights: WeightsRef; config: ModelConfig; task: TaskKind; data: DataSettings }) {
  return {
    theta: loadTheta0(s.weights, s.config),
    task: taskFor(s.task, s.data),
    data: dataFor(s.task, s.config, s.data),
  };
}

const reporter = (offset: number, total: number, where: () => string) => stepReporter(post, offset, total, where);

const headFor = (kind: TaskKind, t: Theta0): Map<string, Float32Array> | undefined =>
  kind === 'PRETRAIN' ? t.head : undefined;

function runImpSpec(s: ImpSpec): void {
  const { theta, task, data } = inputsOf(s);
  const L = s.schedule.length;
  const steps = s.train.steps;
  const total = (L + 1) * steps;
  const resume = s.resume
    ? {
        level: s.resume.level,
        mask: Mask.fromPacked(prunableLayout(s.config), s.resume.mask),
        rewindWeights: s.resume.rewind ? decodeEncoderWeights(s.resume.rewind, s.config).weights : null,
        trainedBefore: s.resume.trained ? decodeEncoderWeights(s.resume.trained, s.config).weights : null,
      }
    : undefined;
  let report = reporter(0, total, () => 'level 0');
  runImp({
    theta0: theta.weights,
    config: s.config,
    task,
    data,
    schedule: s.schedule,
    rewindStep: s.rewindStep,
    retrain: s.retrain,
    rule: s.rule,
    trainingMode: s.train.trainingMode,
    steps,
    lr: s.train.lr,
    batchSize: s.train.batchSize,
    seed: s.seed,
    headWeights: headFor(s.task, theta),
    resume,
    retainResults: false,
    onLevelStart: (level, _levels, sparsity) => {
      phase(`level ${level}/${L}: fine-tune at sparsity ${sparsity}`);
      report = reporter(level * steps, total, () => `level ${level}`);
    },
    onProgress: (p) => report(p.step, p.totalSteps, p.loss, p.lr),
    onLevel: (r) => {
      const e = r.evaluation;
      post({
        type: 'level',
        level: r.level,
        sparsity: r.sparsity,
        mask: r.mask.toBytes(),
        evaluation: { metrics: e.metrics, score: e.score, seed: e.seed, steps: e.steps },
        nextLevel: r.level + 1,
        nextMask: r.nextMask ? r.nextMask.toBytes() : null,
        rewind: r.level === 0 && r.rewindWeights ? encodeWeights(s.config, r.rewindWeights) : null,
        trained:
          s.retrain !== 'REWIND_WEIGHTS' && r.nextMask && r.trainedWeights
            ? encodeWeights(s.config, r.trainedWeights)
            : null,
        step: (r.level + 1) * steps,
      });
    },
  });
}

function runBaselineSpec(s: BaselineSpec): void {
  const { theta, task, data } = inputsOf(s);
  const steps = s.train.steps;
  s.sparsities.forEach((sparsity, i) => {
    phase(`${s.method} sparsity ${sparsity}: fine-tune`);
    const offset = s.stepOffset + i * steps;
    const r = runBaseline({
      theta0: theta.weights,
      config: s.config,
      task,
      data,
      method: s.method,
      sparsity,
      seed: s.seed,
      trainingMode: s.train.trainingMode,
      steps,
      lr: s.train.lr,
      batchSize: s.train.batchSize,
      headWeights: headFor(s.task, theta),
      onProgress: reporter(offset, s.totalSteps, () => `sparsity ${sparsity}`),
    });
    const e = r.evaluation;
    post({
      type: 'baseline',
      sparsity: r.mask.sparsity,
      mask: r.mask.toBytes(),
      evaluation: { metrics: e.metrics, score: e.score, seed: e.seed, steps: e.steps },
      step: offset + steps,
    });
  });
}

/** The Early-Bird search (unless stored), then each remaining sparsity's mask applied to θ0 and fine-tuned. */
function runEarlyBirdSpec(s: EarlyBirdSpec): void {
  const { theta, task, data } = inputsOf(s);
  const layout = prunableLayout(s.config);
  const steps = s.train.steps;
  let masks: Mask[];
  let offset = s.stepOffset;
  let total = s.totalSteps;
  if (s.searched) masks = s.searched.map((b) => Mask.fromPacked(layout, b));
  else {
    phase(`early-bird search: dense fine-tune, masks drawn every ${s.search.interval} steps`);
    const t0 = Date.now();
    const r = earlyBirdSearch({
      theta0: theta.weights,
      config: s.config,
      task,
      data,
      sparsities: s.sparsities,
      ...s.search,
      lr: s.train.lr,
      batchSize: s.train.batchSize,
      seed: s.seed,
      headWeights: headFor(s.task, theta),
      onProgress: reporter(0, s.totalSteps, () => 'early-bird search'),
      onDraw: (step, distances, windowMax) => post({ type: 'draw', step, distances, windowMax, at: Date.now() }),
    });
    masks = r.masks;
    post({
      type: 'searched',
      masks: masks.map((m) => m.toBytes()),
      steps: r.steps,
      converged: r.converged,
      draws: r.draws,
      windowMax: r.windowMax,
      seconds: (Date.now() - t0) / 1000,
    });
    // The steps the search did not need are not part of the run.
    offset = r.steps;
    total = r.steps + s.sparsities.length * steps;
  }
  s.remaining.forEach((sparsity, i) => {
    const mask = masks[s.sparsities.indexOf(sparsity)];
    phase(`EARLY_BIRD sparsity ${sparsity}: fine-tune`);
    const at = offset + i * steps;
    const e = evaluateTicket({
      theta0: theta.weights,
      config: s.config,
      mask,
      task,
      data,
      trainingMode: s.train.trainingMode,
      steps,
      lr: s.train.lr,
      batchSize: s.train.batchSize,
      seed: s.seed,
      headWeights: headFor(s.task, theta),
      onProgress: reporter(at, total, () => `sparsity ${sparsity}`),
    });
    post({
      type: 'baseline',
      sparsity: mask.sparsity,
      mask: mask.toBytes(),
      evaluation: { metrics: e.metrics, score: e.score, seed: e.seed, steps: e.steps },
      step: at + steps,
    });
  });
}

function runEvaluateSpec(s: EvaluateSpec): void {
  const { theta, task, data } = inputsOf(s);
  const mask = s.mask ? Mask.fromPacked(prunableLayout(s.config), s.mask) : null;
  const steps = s.train.steps;
  s.seeds.forEach((seed, i) => {
    phase(`seed ${seed}: fine-tune${mask ? ` at sparsity ${mask.sparsity.toFixed(4)}` : ' (dense)'}`);
    const offset = s.stepOffset + i * steps;
    const e = evaluateTicket({
      theta0: theta.weights,
      config: s.config,
      mask,
      task,
      data,
      weightInit: s.weightInit,
      trainingMode: s.train.trainingMode,
      steps,
      lr: s.train.lr,
      batchSize: s.train.batchSize,
      seed,
      headWeights: headFor(s.task, theta),
      onProgress: reporter(offset, s.totalSteps, () => `seed ${seed}`),
    });
    post({
      type: 'evaluation',
      evaluation: { metrics: e.metrics, score: e.score, seed, steps: e.steps },
      step: offset + steps,
    });
  });
}

/** Steps of one analysis at rewind step r: θ_r's r steps, then two copies. */
const instabilitySteps = (r: number, steps: number): number => r + 2 * steps;

function runInstabilitySpec(s: InstabilitySpec): void {
  const { theta, task, data } = inputsOf(s);
  const mask = s.mask ? Mask.fromPacked(prunableLayout(s.config), s.mask) : null;
  const steps = s.train.steps;
  let offset = s.stepOffset;
  for (const rewindStep of s.rewindSteps) {
    const base = offset;
    const report = reporter(0, s.totalSteps, () => `rewind step ${rewindStep}`);
    let last = '';
    const r = instabilityAnalysis({
      theta0: theta.weights,
      config: s.config,
      mask,
      task,
      data,
      rewindStep,
      steps,
      lr: s.train.lr,
      batchSize: s.train.batchSize,
      seeds: s.seeds,
      headWeights: headFor(s.task, theta),
      onProgress: (what, step, _total, loss, lr) => {
        if (what !== last)
          phase(`rewind step ${rewindStep}: ${what === 'rewind' ? `θ_r (${rewindStep} dense steps)` : what}`);
        last = what;
        const at = what === 'rewind' ? 0 : what === 'copy 1' ? rewindStep : rewindStep + steps;
        report(base + at + step, s.totalSteps, loss, lr);
      },
    });
    offset += instabilitySteps(rewindStep, steps);
    post({
      type: 'instability',
      rewindStep: r.rewindStep,
      alphas: r.alphas,
      scores: r.scores,
      barrier: r.barrier,
      lowerIsBetter: r.lowerIsBetter,
      step: offset,
    });
  }
}

function runPretrainSpec(s: PretrainSpec): void {
  phase('generating pre-training data');
  const data = taskData('PRETRAIN', s.config, dataOptions(s.data));
  const encoder = createEncoder(s.config, new Rng(s.seed));
  try {
    phase('pre-training');
    const r = pretrain({
      encoder,
      task: getTask('PRETRAIN'),
      data,
      steps: s.steps,
      lr: s.lr,
      batchSize: s.batchSize,
      seed: s.seed,
      onProgress: reporter(0, s.steps, () => 'pre-training'),
    });
    const head = encodeSafetensors(
      [...r.headWeights].map(([name, d]) => ({ name, dtype: 'F32' as const, shape: r.headShapes.get(name)!, data: d })),
    );
    post({
      type: 'pretrained',
      weights: encodeEncoderWeights(encoder),
      head,
      firstLoss: r.lossHistory[0],
      lastLoss: r.lossHistory[r.lossHistory.length - 1],
      step: s.steps,
    });
  } finally {
    encoder.dispose();
  }
}

async function main(): Promise<void> {
  const { spec, backend } = await receiveJob();
  const info = await initBackend(backend ?? undefined);
  post({ type: 'ready', backend: info.backend, device: info.device, kernels: info.kernels });
  if (spec.job === 'IMP') runImpSpec(spec);
  else if (spec.job === 'BASELINE') runBaselineSpec(spec);
  else if (spec.job === 'EARLY_BIRD') runEarlyBirdSpec(spec);
  else if (spec.job === 'INSTABILITY') runInstabilitySpec(spec);
  else if (spec.job === 'EVALUATE') runEvaluateSpec(spec);
  else runPretrainSpec(spec);
  post({ type: 'done' });
}

main().catch((e: unknown) => post({ type: 'failed', message: e instanceof Error ? e.message : String(e) }));
