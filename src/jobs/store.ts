/**
 * Result writes of the jobs (tickets, evaluations, checkpoints, models). Callers run them inside
 * RunContext.write, a transaction that holds the run row, so a level's ticket and its evaluation
 * (and the checkpoint the next level resumes from) commit together or not at all. Conflicts on
 * the unique indexes of migration RunQueue are ignored: a unit already stored stays as it is.
 */
import { attackOf } from '../core/training/adversarial';
import type { EntityManager } from 'typeorm';
import { sha256 } from '../artifacts/verified-write';
import type { EvaluationResult } from './compute/protocol';

export interface TicketWrite {
  runId: string;
  modelId: string;
  taskId: string;
  method: string;
  level: number;
  sparsity: number;
  parentId: string | null;
  seed: number;
  mask: Uint8Array;
  maskBits: number;
  /** training steps spent before the mask was fixed (compute accounting) */
  searchSteps: number;
  /** wall seconds of those steps */
  searchSeconds: number;
  /** how the search ended, for methods that stop on a rule (EARLY_BIRD) */
  search?: Record<string, unknown> | null;
  /** IMP: how its levels retrained (REWIND_WEIGHTS, REWIND_LR, FINE_TUNE) */
  retraining?: string | null;
}

export async function insertTicket(m: EntityManager, t: TicketWrite): Promise<string> {
  const mask = Buffer.from(t.mask.buffer, t.mask.byteOffset, t.mask.byteLength);
  const rows = (await m.query(
    `INSERT INTO ticket (model_id, task_id, method, sparsity, level, parent_id, run_id, seed, mask, mask_bits, mask_sha256,
                         search_steps, search_seconds, search, retraining)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (run_id, level, sparsity) WHERE run_id IS NOT NULL DO NOTHING
     RETURNING id`,
    [
      t.modelId,
      t.taskId,
      t.method,
      t.sparsity,
      t.level,
      t.parentId,
      t.runId,
      t.seed,
      mask,
      t.maskBits,
      sha256(mask),
      t.searchSteps,
      t.searchSeconds,
      t.search ? JSON.stringify(t.search) : null,
      t.retraining ?? null,
    ],
  )) as Array<{ id: string }>;
  if (rows[0]) return rows[0].id;
  const found = (await m.query(`SELECT id FROM ticket WHERE run_id = $1 AND level = $2 AND sparsity = $3`, [
    t.runId,
    t.level,
    t.sparsity,
  ])) as Array<{ id: string }>;
  return found[0].id;
}

export interface EvaluationWrite {
  runId: string;
  modelId: string;
  taskId: string;
  ticketId: string | null;
  weightInit: string;
  trainingMode: string;
  result: EvaluationResult;
  relativeScore: number | null;
}

export async function insertEvaluation(m: EntityManager, e: EvaluationWrite): Promise<void> {
  await m.query(
    `INSERT INTO evaluation (model_id, ticket_id, task_id, run_id, weight_init, training_mode, seed, steps, metrics, score, relative_score, attack)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (run_id, COALESCE(ticket_id, '00000000-0000-0000-0000-000000000000'::uuid), task_id, weight_init, training_mode, seed, steps)
       WHERE run_id IS NOT NULL DO NOTHING`,
    [
      e.modelId,
      e.ticketId,
      e.taskId,
      e.runId,
      e.weightInit,
      e.trainingMode,
      e.result.seed,
      e.result.steps,
      JSON.stringify(e.result.metrics),
      e.result.score,
      e.relativeScore !== null && Number.isFinite(e.relativeScore) ? e.relativeScore : null,
      // the attack the compute thread trained with: the core's current defaults (runs carry no other)
      attackOf(e.trainingMode),
    ],
  );
}

export async function putCheckpoint(
  m: EntityManager,
  runId: string,
  name: string,
  meta: Record<string, unknown>,
  data: Uint8Array | null,
): Promise<void> {
  await m.query(
    `INSERT INTO run_checkpoint (run_id, name, meta, data) VALUES ($1, $2, $3, $4)
     ON CONFLICT (run_id, name) DO UPDATE SET meta = EXCLUDED.meta, data = EXCLUDED.data, updated_at = now()`,
    [runId, name, JSON.stringify(meta), data ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : null],
  );
}

export async function getCheckpoint(
  m: { query(sql: string, p?: unknown[]): Promise<unknown> },
  runId: string,
  name: string,
): Promise<{ meta: Record<string, unknown>; data: Buffer | null } | null> {
  const rows = (await m.query(`SELECT meta, data FROM run_checkpoint WHERE run_id = $1 AND name = $2`, [
    runId,
    name,
  ])) as Array<{ meta: Record<string, unknown>; data: Buffer | null }>;
  return rows[0] ?? null;
}

/** Mean dense score (no ticket, PRETRAINED init) of a model on a task in a setting; null if none. */
export async function denseMean(
  m: { query(sql: string, p?: unknown[]): Promise<unknown> },
  modelId: string,
  taskId: string,
  trainingMode: string,
  steps: number,
): Promise<number | null> {
  const rows = (await m.query(
    `SELECT avg(score) AS mean FROM evaluation
      WHERE model_id = $1 AND task_id = $2 AND training_mode = $3 AND steps = $4 AND ticket_id IS NULL AND weight_init = 'PRETRAINED'
        AND attack = $5`,
    [modelId, taskId, trainingMode, steps, attackOf(trainingMode)],
  )) as Array<{ mean: string | number | null }>;
  const v = rows[0]?.mean;
  return v === null || v === undefined ? null : Number(v);
}
