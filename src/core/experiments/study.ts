/**
 * The study's experiment description (issue "studies"): its fields, the two presets, defaults
 * written once, and pure validation. A study is stored fully resolved (every field spelled out),
 * so its identity does not depend on which preset or defaults produced it.
 */
import type { Json } from './identity';
import { DEFAULT_SPARSITIES } from './params';

export const STUDY_PRESETS = ['PAPER', 'SMOKE'] as const;
export type StudyPreset = (typeof STUDY_PRESETS)[number];
export const STUDY_BASELINES = ['RANDOM_PRUNING', 'SHUFFLED_WEIGHTS', 'RANDOM_INIT', 'ONE_SHOT', 'EARLY_BIRD'] as const;
export type StudyBaseline = (typeof STUDY_BASELINES)[number];

/** A study request after presets and defaults: what is stored and hashed. */
export interface StudyParams {
  preset: StudyPreset;
  modelId: string;
  /** downstream tasks (built-in order), ids */
  taskIds: string[];
  /** the PRETRAIN task of the pre-training ticket, when there is one */
  pretrainTaskId: string | null;
  sparsities: number[];
  baselines: StudyBaseline[];
  pretrainingTicket: boolean;
  transferSparsities: number[];
  taskTransfer: boolean;
  taskTransferSparsity: number;
  adversarialSparsities: number[];
  seeds: number[];
  threshold: number;
  /** fine-tune steps per IMP level and per baseline run; null = each task's default */
  stepsPerLevel: number | null;
  /** fine-tune steps of transfers and adversarial evaluations; null = each task's default */
  steps: number | null;
  /**
   * IMP's retraining rule for every IMP run of the study (tickets and the pre-training ticket);
   * absent = REWIND_WEIGHTS, the paper's. Only a non-default rule is stored, so studies planned
   * before the rule existed keep their identity.
   */
  retraining?: 'REWIND_LR' | 'FINE_TUNE';
}

/** What a request may say; null/undefined fields take the preset's value. */
export type StudyRequest = {
  [K in keyof Omit<StudyParams, 'preset' | 'modelId' | 'pretrainTaskId' | 'retraining'>]?: StudyParams[K] | null;
} & { preset?: StudyPreset | null; retraining?: 'REWIND_WEIGHTS' | 'REWIND_LR' | 'FINE_TUNE' | null };

type PresetValues = Omit<StudyParams, 'preset' | 'modelId' | 'pretrainTaskId' | 'taskIds'> & {
  /** task kinds the preset runs on, in the built-in order */
  taskKinds: readonly string[] | 'ALL';
};

/** The paper's protocol (Gan et al.): Tables 1, 2 and 5 and the task-transfer matrix, 3 seeds. */
const PAPER: PresetValues = {
  taskKinds: 'ALL',
  sparsities: [...DEFAULT_SPARSITIES],
  baselines: ['RANDOM_PRUNING', 'SHUFFLED_WEIGHTS', 'RANDOM_INIT'],
  pretrainingTicket: true,
  transferSparsities: [0.5, 0.6, 0.7, 0.8],
  taskTransfer: true,
  taskTransferSparsity: 0.6,
  adversarialSparsities: [0.6, 0.7],
  seeds: [1, 2, 3],
  threshold: 0.99,
  stepsPerLevel: null,
  steps: null,
};

/** A first look in a few minutes: two tasks, three levels, short fine-tunes, one seed. */
const SMOKE: PresetValues = {
  taskKinds: ['VQA', 'SNLI_VE'],
  sparsities: [0.3, 0.5, 0.7],
  baselines: ['RANDOM_PRUNING', 'SHUFFLED_WEIGHTS'],
  pretrainingTicket: true,
  transferSparsities: [0.5, 0.7],
  taskTransfer: true,
  taskTransferSparsity: 0.5,
  adversarialSparsities: [0.5],
  seeds: [1],
  threshold: 0.99,
  stepsPerLevel: 60,
  steps: 60,
};

export const STUDY_PRESET_VALUES: Record<StudyPreset, PresetValues> = { PAPER, SMOKE };

export const STUDY_LIMITS = {
  /** most tasks a study may name */
  maxTasks: 20,
  maxSparsities: 30,
  stepsMax: 100_000,
  nameMax: 200,
} as const;

/** A refused field: the API answers BAD_USER_INPUT naming it. */
export class StudyInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

function sparsityList(field: string, v: number[], allowEmpty: boolean): number[] {
  if (!allowEmpty && v.length === 0) throw new StudyInputError(field, 'must list at least one sparsity');
  if (v.length > STUDY_LIMITS.maxSparsities)
    throw new StudyInputError(field, `must list at most ${STUDY_LIMITS.maxSparsities} sparsities, got ${v.length}`);
  v.forEach((s, i) => {
    if (!Number.isFinite(s) || s <= 0 || s >= 1)
      throw new StudyInputError(`${field}[${i}]`, `must be in (0, 1), got ${s}`);
  });
  if (new Set(v).size !== v.length) throw new StudyInputError(field, 'must not repeat a sparsity');
  return [...v].sort((a, b) => a - b);
}

function stepsOf(field: string, v: number | null): number | null {
  if (v === null) return null;
  if (!Number.isInteger(v) || v < 1 || v > STUDY_LIMITS.stepsMax)
    throw new StudyInputError(field, `must be an integer in 1..${STUDY_LIMITS.stepsMax}, got ${v}`);
  return v;
}

/**
 * Preset values overridden by the request's explicit fields, then checked. `maxSeeds` is the
 * server's configured cap. Task ids are resolved by the caller (they need the database).
 */
export function resolveStudy(
  r: StudyRequest,
  maxSeeds: number,
): Omit<StudyParams, 'modelId' | 'pretrainTaskId' | 'taskIds'> & {
  taskIds: string[] | null;
  taskKinds: readonly string[] | 'ALL';
} {
  const preset: StudyPreset = r.preset ?? 'PAPER';
  const p = STUDY_PRESET_VALUES[preset];
  const pick = <K extends keyof PresetValues & keyof StudyRequest>(k: K): PresetValues[K] =>
    (r[k] ?? p[k]) as PresetValues[K];
  const sparsities = sparsityList('sparsities', pick('sparsities'), false);
  const inSchedule = (field: string, list: number[]) =>
    list.forEach((s, i) => {
      if (!sparsities.includes(s))
        throw new StudyInputError(
          `${field}[${i}]`,
          `${s} is not a sparsity of the IMP schedule (${sparsities.join(', ')}): tickets exist only there`,
        );
    });
  const pretrainingTicket = pick('pretrainingTicket');
  const transferSparsities = sparsityList('transferSparsities', pick('transferSparsities'), true);
  const adversarialSparsities = sparsityList('adversarialSparsities', pick('adversarialSparsities'), true);
  // A preset's transfer values may not fit an explicit schedule: only explicit ones are errors.
  const fit = (field: 'transferSparsities' | 'adversarialSparsities', list: number[]) => {
    if (r[field] != null) inSchedule(field, list);
    return list.filter((s) => sparsities.includes(s));
  };
  const taskTransfer = pick('taskTransfer');
  let taskTransferSparsity = pick('taskTransferSparsity');
  if (r.taskTransferSparsity != null) inSchedule('taskTransferSparsity', [taskTransferSparsity]);
  else if (!sparsities.includes(taskTransferSparsity))
    taskTransferSparsity = sparsities[Math.floor((sparsities.length - 1) / 2)];
  const seeds = pick('seeds');
  if (seeds.length === 0) throw new StudyInputError('seeds', 'must list at least one seed');
  if (seeds.length > maxSeeds)
    throw new StudyInputError(
      'seeds',
      `must list at most ${maxSeeds} seeds (TICKETLAB_MAX_STUDY_SEEDS), got ${seeds.length}`,
    );
  seeds.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 0 || s > 2 ** 31 - 1)
      throw new StudyInputError(`seeds[${i}]`, `must be an integer in 0..${2 ** 31 - 1}, got ${s}`);
  });
  if (new Set(seeds).size !== seeds.length) throw new StudyInputError('seeds', 'must not repeat a seed');
  const threshold = pick('threshold');
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1)
    throw new StudyInputError('threshold', `must be in (0, 1], got ${threshold}`);
  const baselines = pick('baselines');
  if (new Set(baselines).size !== baselines.length)
    throw new StudyInputError('baselines', 'must not repeat a baseline');
  return {
    preset,
    taskIds: r.taskIds ?? null,
    taskKinds: p.taskKinds,
    sparsities,
    baselines: STUDY_BASELINES.filter((b) => baselines.includes(b)),
    pretrainingTicket,
    transferSparsities: pretrainingTicket ? fit('transferSparsities', transferSparsities) : [],
    taskTransfer,
    taskTransferSparsity,
    adversarialSparsities: pretrainingTicket ? fit('adversarialSparsities', adversarialSparsities) : [],
    seeds: [...seeds].sort((a, b) => a - b),
    threshold,
    stepsPerLevel: stepsOf('stepsPerLevel', pick('stepsPerLevel')),
    steps: stepsOf('steps', pick('steps')),
    ...(r.retraining && r.retraining !== 'REWIND_WEIGHTS' ? { retraining: r.retraining } : {}),
  };
}

/** The stored form (JSON) of resolved params. */
export function studyJson(p: StudyParams): Record<string, Json> {
  return { ...p } as unknown as Record<string, Json>;
}
