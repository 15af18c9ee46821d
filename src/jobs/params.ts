/**
 * Parameters of each run kind as stored on the run (canonical: defaults dropped) and as the
 * handlers use them (resolved). The defaults here are the single source for both sides.
 */
import type { ModelConfig } from '../core/model/config';
import { getTask } from '../core/tasks/registry';
import type { TaskKind } from '../core/data';
import type { Json } from './identity';

/** SyntheticVL data seed of the built-in tasks: every run on a task sees the same splits. */
export const BUILTIN_DATA_SEED = 1;
export const MAX_STEPS = 100_000;
export const MAX_SEEDS = 32;
export const MAX_LEVELS = 30;

export type Method = 'IMP' | 'ONE_SHOT' | 'RANDOM';
export type Mode = 'STANDARD' | 'ADVERSARIAL';
export type Init = 'PRETRAINED' | 'SHUFFLED' | 'RANDOM';

export interface PruneParams {
  modelId: string;
  taskId: string;
  method?: Method;
  sparsities?: number[];
  stepsPerLevel?: number;
  rewindStep?: number;
  seed?: number;
  trainingMode?: Mode;
  lr?: number;
  batchSize?: number;
}

export interface EvaluateParams {
  modelId: string;
  taskId: string;
  ticketId?: string;
  weightInit?: Init;
  trainingMode?: Mode;
  steps?: number;
  seeds?: number[];
  lr?: number;
  batchSize?: number;
}

export interface PretrainParams {
  name: string;
  config: ModelConfig;
  steps?: number;
  seed?: number;
  lr?: number;
  batchSize?: number;
  corpusSize?: number;
}

export interface TransferParams {
  modelId: string;
  ticketIds: string[];
  taskIds: string[];
  trainingMode?: Mode;
  steps?: number;
  seeds?: number[];
}

export const DEFAULT_SPARSITIES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
export const PRETRAIN_DEFAULT_STEPS = 500;

export const PRUNE_DEFAULTS: Record<string, Json> = { method: 'IMP', sparsities: DEFAULT_SPARSITIES, rewindStep: 0, seed: 1, trainingMode: 'STANDARD' };
export const EVALUATE_DEFAULTS: Record<string, Json> = { weightInit: 'PRETRAINED', trainingMode: 'STANDARD', seeds: [1] };
export const PRETRAIN_DEFAULTS: Record<string, Json> = { steps: PRETRAIN_DEFAULT_STEPS, seed: 1 };
export const TRANSFER_DEFAULTS: Record<string, Json> = { trainingMode: 'STANDARD', seeds: [1] };

/** Fine-tune steps of a task when the request does not say. */
export function defaultSteps(kind: TaskKind): number {
  return getTask(kind).defaults.steps;
}

export function resolvePrune(p: PruneParams, kind: TaskKind): Required<Omit<PruneParams, 'lr' | 'batchSize'>> & Pick<PruneParams, 'lr' | 'batchSize'> {
  return {
    ...p,
    method: p.method ?? 'IMP',
    sparsities: p.sparsities ?? DEFAULT_SPARSITIES,
    stepsPerLevel: p.stepsPerLevel ?? defaultSteps(kind),
    rewindStep: p.rewindStep ?? 0,
    seed: p.seed ?? 1,
    trainingMode: p.trainingMode ?? 'STANDARD',
  };
}

export function resolveEvaluate(p: EvaluateParams, kind: TaskKind) {
  return {
    ...p,
    ticketId: p.ticketId ?? null,
    weightInit: p.weightInit ?? 'PRETRAINED',
    trainingMode: p.trainingMode ?? 'STANDARD',
    steps: p.steps ?? defaultSteps(kind),
    seeds: p.seeds ?? [1],
  };
}
