/**
 * The aggregate reads behind the derived views. Every score statistic is computed by PostgreSQL
 * over the stored evaluations: avg, stddev_samp (n − 1; 0 for a single value) and count.
 */
import { attackOf } from '../core/training/adversarial';
import type { DataSource } from 'typeorm';
import { BadInputError, NotFoundError } from '../kit/errors';
import { isUuid } from '../kit/ids';
import type { TaskKind } from '../core/data/types';
import { lowerIsBetter } from '../core/lottery/evaluate';
import { WeightInit } from '../evaluation/evaluation.enums';

export interface Stats {
  mean: number;
  std: number;
  n: number;
}

type StatsRow = { mean: string | number; std: string | number | null; n: string | number };

export function toStats(r: StatsRow): Stats {
  return { mean: Number(r.mean), std: r.std === null ? 0 : Number(r.std), n: Number(r.n) };
}

export const STATS_SQL = 'avg(e.score) AS mean, coalesce(stddev_samp(e.score), 0) AS std, count(*) AS n';

/** Malformed ids are the client's error; well-formed ids of missing rows are NOT_FOUND. */
export async function requireRows(
  ds: DataSource,
  ids: { model?: [string, string]; tasks?: Array<[string, string]> },
): Promise<void> {
  const wanted: Array<{ table: 'model' | 'task'; arg: string; id: string }> = [];
  if (ids.model) wanted.push({ table: 'model', arg: ids.model[0], id: ids.model[1] });
  for (const [arg, id] of ids.tasks ?? []) wanted.push({ table: 'task', arg, id });
  for (const w of wanted)
    if (!isUuid(w.id)) throw new BadInputError(`${w.arg} ${JSON.stringify(w.id)} is not a valid id`);
  const rows = (await ds.query(
    `SELECT w.i FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS w(tbl, id, i)
      WHERE NOT CASE w.tbl WHEN 'model' THEN EXISTS (SELECT 1 FROM model m WHERE m.id = w.id)
                           ELSE EXISTS (SELECT 1 FROM task t WHERE t.id = w.id) END`,
    [wanted.map((w) => w.table), wanted.map((w) => w.id)],
  )) as Array<{ i: string | number }>;
  if (rows.length > 0) {
    const w = wanted[Number(rows[0].i) - 1];
    throw new NotFoundError(w.table, w.id);
  }
}

/**
 * Dense-model statistics (no mask) per task and weight init, for one model and training mode;
 * `steps` null pools every fine-tuning budget.
 */
export async function denseStats(
  ds: DataSource,
  modelId: string,
  taskIds: readonly string[],
  trainingMode: string,
  steps: number | null,
  inits: readonly WeightInit[] = [WeightInit.PRETRAINED],
  runIds: readonly string[] | null = null,
): Promise<Map<string, Stats>> {
  const rows = (await ds.query(
    `SELECT e.task_id, e.weight_init, ${STATS_SQL} FROM evaluation e
      WHERE e.model_id = $1 AND e.task_id = ANY($2::uuid[]) AND e.ticket_id IS NULL AND e.training_mode = $3
        AND ($4::int IS NULL OR e.steps = $4) AND e.weight_init = ANY($5::text[])
        AND ($6::uuid[] IS NULL OR e.run_id = ANY($6::uuid[]))
        -- a study's own runs pin what it pools; otherwise only the current attack's results
        AND ($6::uuid[] IS NOT NULL OR e.attack = $7)
      GROUP BY e.task_id, e.weight_init`,
    [modelId, taskIds, trainingMode, steps, inits, runIds, attackOf(trainingMode)],
  )) as Array<StatsRow & { task_id: string; weight_init: string }>;
  return new Map(rows.map((r) => [`${r.task_id}|${r.weight_init}`, toStats(r)]));
}

export function denseKeyOf(taskId: string, init: WeightInit = WeightInit.PRETRAINED): string {
  return `${taskId}|${init}`;
}

/**
 * Relative score against a dense mean, oriented like the runs store it (core/lottery/evaluate):
 * score ÷ dense, or dense ÷ score for a task whose primary metric is a loss (PRETRAIN), so 1 is
 * "as good as dense" and more is better. null without a dense mean (or with a zero divisor).
 */
export function relative(mean: number, dense: Stats | undefined, kind: string): number | null {
  if (dense === undefined) return null;
  if (lowerIsBetter(kind as TaskKind)) return mean === 0 ? null : dense.mean / mean;
  return dense.mean === 0 ? null : mean / dense.mean;
}

/** Strict winning ticket: at least as good as the dense mean, in the metric's own direction. */
export function atLeastDense(mean: number, dense: Stats, kind: string): boolean {
  return lowerIsBetter(kind as TaskKind) ? mean <= dense.mean : mean >= dense.mean;
}

export function checkSteps(steps: number | null | undefined, name = 'steps'): number | null {
  if (steps === null || steps === undefined) return null;
  if (!Number.isInteger(steps) || steps < 0)
    throw new BadInputError(`${name} must be a non-negative integer, got ${steps}`);
  return steps;
}
