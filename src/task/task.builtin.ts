/**
 * The built-in SyntheticVL tasks (DESIGN §4): one row per kind, upserted at start-up.
 *
 * BUILTIN_SPLIT_SIZES is the single place that says how big each built-in split is. When the
 * data module (src/core/data) exports its own defaults, replace the table by a read of those.
 */
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

export const BUILTIN_SPLIT_SIZES: Record<TaskKind, { trainSize: number; valSize: number; testSize: number }> = {
  VQA: { trainSize: 1500, valSize: 300, testSize: 500 },
  GQA: { trainSize: 1500, valSize: 300, testSize: 500 },
  VCR: { trainSize: 1500, valSize: 300, testSize: 500 },
  SNLI_VE: { trainSize: 1500, valSize: 300, testSize: 500 },
  REFCOCO: { trainSize: 1500, valSize: 300, testSize: 500 },
  RETRIEVAL: { trainSize: 1500, valSize: 300, testSize: 500 },
  NLVR2: { trainSize: 1500, valSize: 300, testSize: 500 },
  PRETRAIN: { trainSize: 20000, valSize: 1000, testSize: 1000 },
};

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
