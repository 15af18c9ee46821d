/**
 * Parameters of each run kind as stored on the run (canonical: defaults dropped) and as the
 * handlers use them (resolved). The defaults here are the single source for both sides.
 */
import type { ModelConfig } from '../model/config';
import { getTask } from '../tasks/registry';
import type { TaskKind } from '../data';
import type { Json } from './identity';

/** SyntheticVL data seed of the built-in tasks: every run on a task sees the same splits. */
export const BUILTIN_DATA_SEED = 1;
export const MAX_STEPS = 100_000;
export const MAX_SEEDS = 32;
export const MAX_LEVELS = 30;

/** a registered search method's name (src/core/lottery/methods) */
export type Method = string;
export type Mode = 'STANDARD' | 'ADVERSARIAL';
export type Init = 'PRETRAINED' | 'SHUFFLED' | 'RANDOM';

export interface PruneParams {
  modelId: string;
  taskId: string;
  method?: Method;
  sparsities?: number[];
  stepsPerLevel?: number;
  rewindStep?: number;
  /** ADVERSARIAL: the attack's label (core/training/adversarial.ts ATTACK_LABEL), part of the identity */
  attack?: string;
  /** IMP: how levels ≥ 1 retrain (core/lottery/imp.ts) */
  retrain?: 'REWIND_WEIGHTS' | 'REWIND_LR' | 'FINE_TUNE';
  seed?: number;
  trainingMode?: Mode;
  lr?: number;
  batchSize?: number;
  /** EARLY_BIRD: steps between mask draws (default: 20 draws over searchSteps) */
  interval?: number;
  /** EARLY_BIRD: draws the stop rule looks back over */
  window?: number;
  /** EARLY_BIRD: largest mask distance that counts as settled */
  tolerance?: number;
  /** EARLY_BIRD: the search's budget, a dense fine-tune stopped early (default stepsPerLevel) */
  searchSteps?: number;
}

export interface EvaluateParams {
  modelId: string;
  taskId: string;
  ticketId?: string;
  weightInit?: Init;
  trainingMode?: Mode;
  /** ADVERSARIAL: the attack's label, part of the identity */
  attack?: string;
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

export interface InstabilityParams {
  modelId: string;
  taskId: string;
  /** the ticket whose mask both copies train under; absent = the dense network */
  ticketId?: string;
  /** θ_r's r for each analysis: steps of the dense fine-tune the copies start from */
  rewindSteps?: number[];
  /** each copy's training steps (default the task's) */
  steps?: number;
  /** the two copies' data orders */
  seeds?: number[];
  lr?: number;
  batchSize?: number;
}

export interface TransferParams {
  modelId: string;
  ticketIds: string[];
  taskIds: string[];
  trainingMode?: Mode;
  attack?: string;
  steps?: number;
  seeds?: number[];
}

export const DEFAULT_SPARSITIES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/**
 * The defaults of each run kind, written once: the stored canonical form drops them, the
 * handlers resolve them, and the GraphQL inputs' descriptions quote them. Step budgets that
 * depend on the task (fine-tunes) come from the task's definition (defaultSteps).
 */
export const PRUNE_DEFAULTS = {
  method: 'IMP',
  sparsities: DEFAULT_SPARSITIES,
  rewindStep: 0,
  retrain: 'REWIND_WEIGHTS',
  seed: 1,
  trainingMode: 'STANDARD',
  // EARLY_BIRD's stop rule (You et al. 2020); other methods never carry these keys.
  window: 5,
  tolerance: 0.1,
} as const satisfies Partial<PruneParams>;
export const EVALUATE_DEFAULTS = {
  weightInit: 'PRETRAINED',
  trainingMode: 'STANDARD',
  seeds: [1],
} as const satisfies Partial<EvaluateParams>;
export const PRETRAIN_DEFAULTS = { steps: 500, seed: 1 } as const satisfies Partial<PretrainParams>;
export const TRANSFER_DEFAULTS = { trainingMode: 'STANDARD', seeds: [1] } as const satisfies Partial<TransferParams>;
export const INSTABILITY_DEFAULTS = { rewindSteps: [0], seeds: [1, 2] } as const satisfies Partial<InstabilityParams>;
export const PRETRAIN_DEFAULT_STEPS = PRETRAIN_DEFAULTS.steps;

/** The defaults by run kind, as the canonical form compares them. */
export const DEFAULTS_BY_KIND: Record<
  'PRETRAIN' | 'PRUNE' | 'EVALUATE' | 'TRANSFER' | 'INSTABILITY',
  Record<string, Json>
> = {
  PRETRAIN: PRETRAIN_DEFAULTS,
  PRUNE: { ...PRUNE_DEFAULTS, sparsities: [...DEFAULT_SPARSITIES] },
  EVALUATE: { ...EVALUATE_DEFAULTS, seeds: [1] },
  TRANSFER: { ...TRANSFER_DEFAULTS, seeds: [1] },
  INSTABILITY: { rewindSteps: [0], seeds: [1, 2] },
};

/** Fine-tune steps of a task when the request does not say. */
export function defaultSteps(kind: TaskKind): number {
  return getTask(kind).defaults.steps;
}

/** Drops undefined values, so a spread does not overwrite a default with them. */
function given<T extends object>(p: T): Partial<T> {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

export type ResolvedPrune = Required<Omit<PruneParams, 'lr' | 'batchSize' | 'interval' | 'searchSteps'>> &
  Pick<PruneParams, 'lr' | 'batchSize' | 'interval' | 'searchSteps'>;

export function resolvePrune(p: PruneParams, kind: TaskKind): ResolvedPrune {
  return {
    ...PRUNE_DEFAULTS,
    sparsities: [...PRUNE_DEFAULTS.sparsities],
    stepsPerLevel: defaultSteps(kind),
    ...given(p),
  } as ResolvedPrune;
}

export function resolveEvaluate(p: EvaluateParams, kind: TaskKind) {
  const r = { ...EVALUATE_DEFAULTS, seeds: [...EVALUATE_DEFAULTS.seeds], steps: defaultSteps(kind), ...given(p) };
  return { ...r, ticketId: p.ticketId ?? null } as Required<Omit<EvaluateParams, 'lr' | 'batchSize' | 'ticketId'>> &
    Pick<EvaluateParams, 'lr' | 'batchSize'> & { ticketId: string | null };
}

export function resolveInstability(p: InstabilityParams, kind: TaskKind) {
  return {
    rewindSteps: [...INSTABILITY_DEFAULTS.rewindSteps],
    seeds: [...INSTABILITY_DEFAULTS.seeds],
    steps: defaultSteps(kind),
    ...given(p),
    ticketId: p.ticketId ?? null,
  } as Required<Omit<InstabilityParams, 'lr' | 'batchSize' | 'ticketId'>> &
    Pick<InstabilityParams, 'lr' | 'batchSize'> & { ticketId: string | null };
}

export function resolvePretrain(p: PretrainParams): PretrainParams & { steps: number; seed: number } {
  return { ...PRETRAIN_DEFAULTS, ...given(p) } as PretrainParams & { steps: number; seed: number };
}

/**
 * A run's stored (canonical) params as its kind's shape: the row holds what validation made of
 * the request (run.validate.ts), defaults dropped; resolve* fills them in.
 */
export function storedParams<
  T extends PruneParams | EvaluateParams | PretrainParams | TransferParams | InstabilityParams,
>(stored: Record<string, unknown>): T {
  return stored as unknown as T;
}
