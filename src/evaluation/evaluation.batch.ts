/**
 * Batch reads behind the per-request DataLoaders (src/kit/context.ts): each function answers
 * many keys with ONE query, so a page of tickets with their evaluations costs a bounded number of
 * SQL queries whatever its size.
 */
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Context } from '../kit/context';
import { WeightInit, type TrainingMode } from './evaluation.enums';
import { Evaluation } from './evaluation.entity';

interface EvaluationRow {
  id: string;
  model_id: string;
  ticket_id: string;
  task_id: string;
  run_id: string | null;
  weight_init: WeightInit;
  training_mode: TrainingMode;
  attack: string;
  seed: number;
  steps: number;
  metrics: Record<string, number>;
  score: number;
  relative_score: number | null;
  created_at: Date;
}

/**
 * Evaluations of each ticket, oldest first (one query for all tickets). Plain SQL and plain
 * objects shaped like the entity: a page of 100 tickets asks for 200 evaluations, and TypeORM's
 * alias rewriting and per-column hydration cost more CPU than the rest of the batch. pg already
 * parses every column to the entity's types (integer/double → number, jsonb → object,
 * timestamptz → Date); no column here has a transformer.
 */
export async function evaluationsForTickets(ds: DataSource, ticketIds: readonly string[]): Promise<Evaluation[][]> {
  const rows = (await ds.query(
    `SELECT id, model_id, ticket_id, task_id, run_id, weight_init, training_mode, attack, seed, steps, metrics, score, relative_score, created_at
       FROM evaluation WHERE ticket_id = ANY($1::uuid[]) ORDER BY created_at ASC, id ASC`,
    [ticketIds],
  )) as EvaluationRow[];
  const byTicket = new Map<string, Evaluation[]>(ticketIds.map((id) => [id, []]));
  for (const r of rows) {
    byTicket.get(r.ticket_id)?.push({
      id: r.id,
      modelId: r.model_id,
      ticketId: r.ticket_id,
      taskId: r.task_id,
      runId: r.run_id,
      weightInit: r.weight_init,
      trainingMode: r.training_mode,
      attack: r.attack,
      seed: r.seed,
      steps: r.steps,
      metrics: r.metrics,
      score: r.score,
      relativeScore: r.relative_score,
      createdAt: r.created_at,
    });
  }
  return ticketIds.map((id) => byTicket.get(id) ?? []);
}

/** What a relative score divides by: the dense runs of the same model, task, mode, attack and steps. */
export interface DenseKey {
  modelId: string;
  taskId: string;
  trainingMode: string;
  attack: string;
  steps: number;
}

export function denseKey(k: DenseKey): string {
  return `${k.modelId}|${k.taskId}|${k.trainingMode}|${k.steps}|${k.attack}`;
}

function parseDenseKey(key: string): DenseKey {
  const [modelId, taskId, trainingMode, steps, ...attack] = key.split('|');
  return { modelId, taskId, trainingMode, steps: Number(steps), attack: attack.join('|') };
}

/**
 * Mean score of the dense evaluations (no ticket, PRETRAINED init) for each key, averaged over
 * seeds; null where there is none. One query for all keys.
 */
export async function denseMeans(ds: DataSource, keys: readonly string[]): Promise<Array<number | null>> {
  const parsed = keys.map(parseDenseKey);
  const rows = (await ds.query(
    `SELECT k.key, avg(e.score) AS mean
       FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::int[], $7::text[]) AS k(key, model_id, task_id, training_mode, steps, attack)
       JOIN evaluation e ON e.model_id = k.model_id AND e.task_id = k.task_id AND e.training_mode = k.training_mode
                        AND e.attack = k.attack
                        AND e.steps = k.steps AND e.ticket_id IS NULL AND e.weight_init = $6
      GROUP BY k.key`,
    [
      keys,
      parsed.map((k) => k.modelId),
      parsed.map((k) => k.taskId),
      parsed.map((k) => k.trainingMode),
      parsed.map((k) => k.steps),
      WeightInit.PRETRAINED,
      parsed.map((k) => k.attack),
    ],
  )) as Array<{ key: string; mean: number | string | null }>;
  const byKey = new Map(rows.map((r) => [r.key, r.mean === null ? null : Number(r.mean)]));
  return keys.map((k) => byKey.get(k) ?? null);
}

/** ticket id → its evaluations, oldest first; one loader per request. */
export function evaluationsByTicket(ctx: Context, ds: DataSource): DataLoader<string, Evaluation[]> {
  return ctx.batch.get(
    'evaluationsByTicket',
    () => new DataLoader<string, Evaluation[]>((ids) => evaluationsForTickets(ds, ids)),
  );
}

/** denseKey(...) → mean dense PRETRAINED score (null when none); one loader per request. */
export function denseMeanLoader(ctx: Context, ds: DataSource): DataLoader<string, number | null> {
  return ctx.batch.get('denseMean', () => new DataLoader<string, number | null>((keys) => denseMeans(ds, keys)));
}
