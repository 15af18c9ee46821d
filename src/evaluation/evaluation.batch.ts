/**
 * Batch reads behind the per-request DataLoaders (src/graphql/context.ts): each function answers
 * many keys with ONE query, so a page of tickets with their evaluations costs a bounded number of
 * SQL queries whatever its size.
 */
import { In, type DataSource } from 'typeorm';
import { WeightInit } from './evaluation.enums';
import { Evaluation } from './evaluation.entity';

/** Evaluations of each ticket, oldest first (one query for all tickets). */
export async function evaluationsForTickets(ds: DataSource, ticketIds: readonly string[]): Promise<Evaluation[][]> {
  const rows = await ds.getRepository(Evaluation).find({
    where: { ticketId: In([...ticketIds]) },
    order: { createdAt: 'ASC', id: 'ASC' },
  });
  const byTicket = new Map<string, Evaluation[]>(ticketIds.map((id) => [id, []]));
  for (const r of rows) byTicket.get(r.ticketId as string)?.push(r);
  return ticketIds.map((id) => byTicket.get(id) ?? []);
}

/** What a relative score divides by: the dense runs of the same model, task, mode and steps. */
export interface DenseKey {
  modelId: string;
  taskId: string;
  trainingMode: string;
  steps: number;
}

export function denseKey(k: DenseKey): string {
  return `${k.modelId}|${k.taskId}|${k.trainingMode}|${k.steps}`;
}

function parseDenseKey(key: string): DenseKey {
  const [modelId, taskId, trainingMode, steps] = key.split('|');
  return { modelId, taskId, trainingMode, steps: Number(steps) };
}

/**
 * Mean score of the dense evaluations (no ticket, PRETRAINED init) for each key, averaged over
 * seeds; null where there is none. One query for all keys.
 */
export async function denseMeans(ds: DataSource, keys: readonly string[]): Promise<Array<number | null>> {
  const parsed = keys.map(parseDenseKey);
  const rows = (await ds.query(
    `SELECT k.key, avg(e.score) AS mean
       FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::int[]) AS k(key, model_id, task_id, training_mode, steps)
       JOIN evaluation e ON e.model_id = k.model_id AND e.task_id = k.task_id AND e.training_mode = k.training_mode
                        AND e.steps = k.steps AND e.ticket_id IS NULL AND e.weight_init = $6
      GROUP BY k.key`,
    [keys, parsed.map((k) => k.modelId), parsed.map((k) => k.taskId), parsed.map((k) => k.trainingMode), parsed.map((k) => k.steps), WeightInit.PRETRAINED],
  )) as Array<{ key: string; mean: number | string | null }>;
  const byKey = new Map(rows.map((r) => [r.key, r.mean === null ? null : Number(r.mean)]));
  return keys.map((k) => byKey.get(k) ?? null);
}
