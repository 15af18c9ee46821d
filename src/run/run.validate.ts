/**
 * Validation of the experiment mutations' inputs: every problem is a BAD_USER_INPUT naming the
 * field (or NOT_FOUND for an id that does not exist), raised before anything is stored.
 * Returns the params as stored on the run (canonical form: see jobs/identity.ts).
 */
import { attackOf } from '../core/training/adversarial';
import type { DataSource } from 'typeorm';
import { VOCAB_SIZE, type TaskKind } from '../core/data';
import { taskData } from '../core/lottery';
import { builtinConfig } from '../core/model/builtin';
import { configProblems, type ModelConfig } from '../core/model/config';
import { getSearchMethod } from '../core/lottery/methods/registry';
import { checkScheduleCounts } from '../core/pruning';
import { BadInputError, NotFoundError } from '../kit/errors';
import { importedTaskProblem, isImportedTask, type TaskRow } from '../import/dataset-import';
import { isUuid } from '../kit/ids';
import { parameterCounts } from '../jobs/models';
import {
  MAX_LEVELS,
  MAX_SEEDS,
  MAX_STEPS,
  defaultSteps,
  type EvaluateParams,
  type InstabilityParams,
  type PretrainParams,
  type PruneParams,
} from '../core/experiments/params';
import type { EvaluateInput, InstabilityInput, PretrainInput, PruningInput } from './run.launch.input';

export const MAX_PARAMETERS = 20_000_000;
export const MAX_CORPUS = 200_000;
export const MAX_TRANSFER_TICKETS = 50;
export const MAX_TRANSFER_TASKS = 20;

const bad = (field: string, msg: string): BadInputError => new BadInputError(`${field}: ${msg}`);

export function intIn(field: string, v: number | null | undefined, min: number, max: number): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min || v > max) throw bad(field, `must be an integer in ${min}..${max}, got ${v}`);
  return v;
}

function lrOf(field: string, v: number | null | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (!Number.isFinite(v) || v <= 0 || v > 1) throw bad(field, `must be in (0, 1], got ${v}`);
  return v;
}

export function seedsOf(field: string, v: number[] | null | undefined): number[] | undefined {
  if (v === null || v === undefined) return undefined;
  if (v.length === 0 || v.length > MAX_SEEDS) throw bad(field, `must list 1..${MAX_SEEDS} seeds, got ${v.length}`);
  v.forEach((s, i) => intIn(`${field}[${i}]`, s, 0, 2 ** 31 - 1));
  if (new Set(v).size !== v.length) throw bad(field, 'must not repeat a seed');
  // Order does not change what is computed, so it does not change the run's identity either.
  return [...v].sort((a, b) => a - b);
}

export interface ModelInfo {
  id: string;
  config: ModelConfig;
  prunable: number;
}

export async function findModel(ds: DataSource, field: string, id: string): Promise<ModelInfo> {
  const rows = isUuid(id)
    ? ((await ds.query(`SELECT id, config, prunable_parameter_count FROM model WHERE id = $1`, [id])) as Array<{
        id: string;
        config: ModelConfig;
        prunable_parameter_count: string;
      }>)
    : [];
  if (!rows[0]) throw new NotFoundError(`model (${field})`, id);
  return { id: rows[0].id, config: rows[0].config, prunable: Number(rows[0].prunable_parameter_count) };
}

/** The task's kind, after checking the model can serve it (vocabulary, text and region budgets). */
export async function findTask(ds: DataSource, field: string, id: string, model: ModelInfo): Promise<TaskKind> {
  const rows = isUuid(id)
    ? ((await ds.query(`SELECT kind, name, built_in, params, val_size, test_size FROM task WHERE id = $1`, [
        id,
      ])) as TaskRow[])
    : [];
  if (!rows[0]) throw new NotFoundError(`task (${field})`, id);
  const kind = rows[0].kind;
  if (isImportedTask(rows[0])) {
    const problem = importedTaskProblem(rows[0], model.config);
    if (problem) throw bad(field, problem);
    return kind;
  }
  const c = model.config;
  if (c.vocabSize < VOCAB_SIZE)
    throw bad(
      field,
      `task kind ${kind} uses the ${VOCAB_SIZE}-token built-in vocabulary; the model's vocabSize is ${c.vocabSize}`,
    );
  try {
    // A few generated examples show whether the task's texts and scenes fit the model's budgets.
    const s = taskData(kind, c, { seed: 1, sizes: { train: 4, val: 0, test: 0 } });
    if (s.train.length === 0) throw new Error('no examples could be generated');
  } catch (e) {
    throw bad(field, `the model cannot serve task kind ${kind}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return kind;
}

export async function findTicket(ds: DataSource, field: string, id: string, modelId: string): Promise<string> {
  const rows = isUuid(id)
    ? ((await ds.query(`SELECT id, model_id FROM ticket WHERE id = $1`, [id])) as Array<{
        id: string;
        model_id: string;
      }>)
    : [];
  if (!rows[0]) throw new NotFoundError(`ticket (${field})`, id);
  if (rows[0].model_id !== modelId)
    throw bad(field, `ticket ${id} is a mask over another model (${rows[0].model_id}), not over modelId ${modelId}`);
  return rows[0].id;
}

export function validateSparsities(
  method: string,
  v: number[] | null | undefined,
  prunable: number,
): number[] | undefined {
  if (v === null || v === undefined) return undefined;
  if (v.length === 0 || v.length > MAX_LEVELS)
    throw bad('sparsities', `must list 1..${MAX_LEVELS} sparsities, got ${v.length}`);
  v.forEach((s, i) => {
    if (!Number.isFinite(s) || s <= 0 || s >= 1) throw bad(`sparsities[${i}]`, `must be in (0, 1), got ${s}`);
  });
  if (getSearchMethod(method).shape === 'levels') {
    try {
      checkScheduleCounts(v, prunable);
    } catch (e) {
      throw bad('sparsities', e instanceof Error ? e.message : String(e));
    }
  } else if (new Set(v).size !== v.length) {
    throw bad('sparsities', 'must not repeat a sparsity');
  }
  // A levels schedule is ordered; independent sparsities are separate trainings, so their order is not identity.
  return getSearchMethod(method).shape === 'levels' ? v : [...v].sort((a, b) => a - b);
}

export async function validatePruning(ds: DataSource, i: PruningInput): Promise<PruneParams> {
  const model = await findModel(ds, 'modelId', i.modelId);
  const kind = await findTask(ds, 'taskId', i.taskId, model);
  const method = i.method ?? 'IMP';
  const steps = intIn('stepsPerLevel', i.stepsPerLevel, 1, MAX_STEPS);
  const rewindStep = intIn('rewindStep', i.rewindStep, 0, MAX_STEPS);
  if (rewindStep !== undefined && rewindStep > (steps ?? defaultSteps(kind)))
    throw bad('rewindStep', `must not exceed stepsPerLevel (${steps ?? defaultSteps(kind)})`);
  if (rewindStep && !getSearchMethod(method).rewinds)
    throw bad('rewindStep', `does not apply to ${method}: it rewinds nothing`);
  return {
    modelId: model.id,
    taskId: i.taskId.toLowerCase(),
    method,
    sparsities: validateSparsities(method, i.sparsities, model.prunable),
    stepsPerLevel: steps,
    rewindStep,
    seed: intIn('seed', i.seed, 0, 2 ** 31 - 1),
    trainingMode: i.trainingMode ?? undefined,
    attack: attackOf(i.trainingMode ?? 'STANDARD') || undefined,
    lr: lrOf('lr', i.lr),
    batchSize: intIn('batchSize', i.batchSize, 1, 1024),
    retrain: validateRetraining(method, i),
    ...validateEarlyBird(method, i, steps ?? defaultSteps(kind)),
  };
}

/** IMP's retraining rule: levels searches only; rewinding to a step is REWIND_WEIGHTS' alone. */
function validateRetraining(method: string, i: PruningInput): PruneParams['retrain'] {
  const r = i.retraining ?? undefined;
  if (r === undefined) return undefined;
  if (getSearchMethod(method).shape !== 'levels')
    throw bad('retraining', `applies to level-by-level searches (IMP), not to ${method}`);
  if (r !== 'REWIND_WEIGHTS' && i.rewindStep)
    throw bad('retraining', `${r} keeps the trained weights; rewindStep applies to REWIND_WEIGHTS only`);
  return r;
}

/** EARLY_BIRD's search settings (flat in the stored params); refused on any other method. */
function validateEarlyBird(
  method: string,
  i: PruningInput,
  stepsPerLevel: number,
): Pick<PruneParams, 'interval' | 'window' | 'tolerance' | 'searchSteps'> {
  const eb = i.earlyBird;
  if (getSearchMethod(method).shape !== 'early-bird') {
    if (eb) throw bad('earlyBird', `applies to EARLY_BIRD only, not to ${method}`);
    return {};
  }
  if (i.trainingMode === 'ADVERSARIAL')
    throw bad('trainingMode', 'EARLY_BIRD searches with standard training; ADVERSARIAL is not supported');
  const searchSteps = intIn('earlyBird.searchSteps', eb?.searchSteps, 1, MAX_STEPS);
  const budget = searchSteps ?? stepsPerLevel;
  const interval = intIn('earlyBird.interval', eb?.interval, 1, budget);
  const window = intIn('earlyBird.window', eb?.window, 1, 1000);
  const tolerance = eb?.tolerance ?? undefined;
  if (tolerance !== undefined && !(Number.isFinite(tolerance) && tolerance > 0 && tolerance <= 1))
    throw bad('earlyBird.tolerance', `must be in (0, 1], got ${tolerance}`);
  return { interval, window, tolerance, searchSteps };
}

export async function validateEvaluate(ds: DataSource, i: EvaluateInput): Promise<EvaluateParams> {
  const model = await findModel(ds, 'modelId', i.modelId);
  await findTask(ds, 'taskId', i.taskId, model);
  const ticketId = i.ticketId ? await findTicket(ds, 'ticketId', i.ticketId, model.id) : undefined;
  return {
    modelId: model.id,
    taskId: i.taskId.toLowerCase(),
    ticketId,
    weightInit: i.weightInit ?? undefined,
    trainingMode: i.trainingMode ?? undefined,
    // Results of different attacks are different runs: an ADVERSARIAL request names the current one.
    attack: attackOf(i.trainingMode ?? 'STANDARD') || undefined,
    steps: intIn('steps', i.steps, 1, MAX_STEPS),
    seeds: seedsOf('seeds', i.seeds),
    lr: lrOf('lr', i.lr),
    batchSize: intIn('batchSize', i.batchSize, 1, 1024),
  };
}

export async function validatePretrain(ds: DataSource, i: PretrainInput): Promise<PretrainParams> {
  const name = i.name.trim();
  if (name.length === 0 || name.length > 100) throw bad('name', 'must be 1..100 characters');
  const taken = (await ds.query(`SELECT 1 FROM model WHERE name = $1`, [name])) as unknown[];
  if (taken.length) throw bad('name', `a model named ${JSON.stringify(name)} already exists`);
  const base = builtinConfig(VOCAB_SIZE);
  const given = Object.fromEntries(Object.entries(i.config ?? {}).filter(([, v]) => v !== null && v !== undefined));
  const config = { ...base, ...given } as ModelConfig;
  const problems = configProblems(config);
  if (problems.length) throw bad('config', problems.join('; '));
  if (config.vocabSize < VOCAB_SIZE)
    throw bad('config.vocabSize', `must be at least the built-in vocabulary's ${VOCAB_SIZE}`);
  if (config.layers > 24) throw bad('config.layers', 'must be at most 24');
  if (config.hidden > 1024) throw bad('config.hidden', 'must be at most 1024');
  if (config.intermediate > 4096) throw bad('config.intermediate', 'must be at most 4096');
  const n = parameterCounts(config).parameterCount;
  if (n > MAX_PARAMETERS) throw bad('config', `has ${n} parameters, more than this server trains (${MAX_PARAMETERS})`);
  try {
    taskData('PRETRAIN', config, { seed: 1, sizes: { train: 4, val: 0, test: 0 } });
  } catch (e) {
    throw bad('config', `cannot hold the PRETRAIN task's examples: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    name,
    config,
    steps: intIn('steps', i.steps, 1, MAX_STEPS),
    seed: intIn('seed', i.seed, 0, 2 ** 31 - 1),
    lr: lrOf('lr', i.lr),
    batchSize: intIn('batchSize', i.batchSize, 1, 1024),
    corpusSize: intIn('corpusSize', i.corpusSize, 16, MAX_CORPUS),
  };
}

export async function validateInstability(ds: DataSource, i: InstabilityInput): Promise<InstabilityParams> {
  const model = await findModel(ds, 'modelId', i.modelId);
  const kind = await findTask(ds, 'taskId', i.taskId, model);
  const ticketId = i.ticketId ? await findTicket(ds, 'ticketId', i.ticketId, model.id) : undefined;
  const steps = intIn('steps', i.steps, 1, MAX_STEPS);
  const budget = steps ?? defaultSteps(kind);
  let rewindSteps: number[] | undefined;
  if (i.rewindSteps !== null && i.rewindSteps !== undefined) {
    if (i.rewindSteps.length === 0 || i.rewindSteps.length > MAX_LEVELS)
      throw bad('rewindSteps', `must list 1..${MAX_LEVELS} steps, got ${i.rewindSteps.length}`);
    i.rewindSteps.forEach((r, k) => intIn(`rewindSteps[${k}]`, r, 0, budget));
    if (new Set(i.rewindSteps).size !== i.rewindSteps.length) throw bad('rewindSteps', 'must not repeat a step');
    rewindSteps = [...i.rewindSteps].sort((a, b) => a - b);
  }
  const seeds = seedsOf('seeds', i.seeds);
  if (seeds && seeds.length !== 2) throw bad('seeds', `must list exactly 2 seeds (one per copy), got ${seeds.length}`);
  return {
    modelId: model.id,
    taskId: i.taskId.toLowerCase(),
    ticketId,
    rewindSteps,
    steps,
    seeds,
    lr: lrOf('lr', i.lr),
    batchSize: intIn('batchSize', i.batchSize, 1, 1024),
  };
}
