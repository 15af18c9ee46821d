/**
 * The built-in SyntheticVL tasks (DESIGN §4): one row per kind, upserted at start-up.
 *
 * BUILTIN_SPLIT_SIZES reads each generator's default split sizes (src/core/data), the sizes a job
 * generates when its params name none, so the task rows say what the runs actually use.
 */
import { dataSource } from '../core/data';
import { TaskKind } from './task.kind';

export interface BuiltinTaskSpec {
  kind: TaskKind;
  name: string;
  /** primary metric, the one Evaluation.score reports. */
  metric: string;
  trainSize: number;
  valSize: number;
  testSize: number;
}

export const BUILTIN_SPLIT_SIZES: Record<TaskKind, { trainSize: number; valSize: number; testSize: number }> =
  Object.fromEntries(
    Object.values(TaskKind).map((kind) => {
      const d = dataSource(kind).defaultSizes;
      return [kind, { trainSize: d.train, valSize: d.val, testSize: d.test }];
    }),
  ) as Record<TaskKind, { trainSize: number; valSize: number; testSize: number }>;

const PRIMARY_METRIC: Record<TaskKind, string> = {
  VQA: 'vqa_score',
  GQA: 'accuracy',
  VCR: 'qar_accuracy',
  SNLI_VE: 'accuracy',
  REFCOCO: 'accuracy',
  RETRIEVAL: 'ir_r1',
  NLVR2: 'accuracy',
  PRETRAIN: 'pretrain_loss',
};

export const BUILTIN_TASKS: readonly BuiltinTaskSpec[] = Object.values(TaskKind).map((kind) => ({
  kind,
  name: `synthetic-${kind.toLowerCase().replace(/_/g, '-')}`,
  metric: PRIMARY_METRIC[kind],
  ...BUILTIN_SPLIT_SIZES[kind],
}));

/** The built-in kinds in their canonical order (the paper's tables'): task lists, study plans and reports follow it. */
export const BUILTIN_KIND_ORDER: readonly TaskKind[] = BUILTIN_TASKS.map((b) => b.kind);

/** A task's place in that order; tasks that are not built in come after every built-in one. */
export function builtinRank(t: { builtIn: boolean; kind: string }): number {
  return t.builtIn ? BUILTIN_KIND_ORDER.indexOf(t.kind as TaskKind) : BUILTIN_KIND_ORDER.length;
}
