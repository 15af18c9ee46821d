/**
 * Ownership of runs, in single atomic UPDATEs on the run row (pg-boss 10 has no job heartbeat).
 * A worker claims a run with a fresh token; only the token holder may heartbeat, write results
 * or finish it. Another worker can take a RUNNING run over only when its heartbeat is stale, and
 * the UPDATE ... WHERE heartbeat stale lets exactly one of several racing workers win, so a run
 * is never worked twice at once.
 */
import { randomUUID } from 'crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Queryable } from '../graphql/pubsub';

export interface ClaimedRun {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  parentId: string | null;
  attempts: number;
  token: string;
}

type Db = DataSource | EntityManager;

/** Rows of an UPDATE ... RETURNING through TypeORM (which returns [rows, count] for UPDATE). */
async function updateReturning<T>(db: Db, sql: string, params: unknown[]): Promise<T[]> {
  const r = (await db.query(sql, params)) as unknown;
  if (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0] as T[];
  return r as T[];
}

/** Claims a QUEUED run, or a RUNNING one whose heartbeat is older than staleMs. */
export async function claimRun(db: Db, runId: string, staleMs: number): Promise<ClaimedRun | null> {
  const token = randomUUID();
  const rows = await updateReturning<{ id: string; kind: string; params: Record<string, unknown>; parent_id: string | null; attempts: number }>(
    db,
    `UPDATE run SET status = 'RUNNING', claim_token = $2, heartbeat_at = now(), attempts = attempts + 1,
            started_at = COALESCE(started_at, now()), error = NULL, finished_at = NULL
      WHERE id = $1 AND kind <> 'TRANSFER'
        AND (status = 'QUEUED' OR (status = 'RUNNING' AND (heartbeat_at IS NULL OR heartbeat_at < now() - $3 * interval '1 millisecond')))
      RETURNING id, kind, params, parent_id, attempts`,
    [runId, token, staleMs],
  );
  const r = rows[0];
  return r ? { id: r.id, kind: r.kind, params: r.params, parentId: r.parent_id, attempts: r.attempts, token } : null;
}

/** Refreshes the heartbeat; false when the run is no longer ours (cancelled, taken over). */
export async function heartbeat(db: Db, runId: string, token: string): Promise<boolean> {
  const rows = await updateReturning<{ id: string }>(
    db,
    `UPDATE run SET heartbeat_at = now() WHERE id = $1 AND claim_token = $2 AND status = 'RUNNING' RETURNING id`,
    [runId, token],
  );
  return rows.length === 1;
}

/** Whether we still hold the run (cheap poll so a cancel is noticed within a second). */
export async function stillOwned(db: Queryable, runId: string, token: string): Promise<boolean> {
  const rows = (await db.query(`SELECT 1 FROM run WHERE id = $1 AND claim_token = $2 AND status = 'RUNNING'`, [runId, token])) as unknown[];
  return rows.length === 1;
}

/** Inside a transaction: locks the run row if we still hold it (serialises with cancelRun). */
export async function lockOwned(m: EntityManager, runId: string, token: string): Promise<boolean> {
  const rows = (await m.query(`SELECT 1 FROM run WHERE id = $1 AND claim_token = $2 AND status = 'RUNNING' FOR UPDATE`, [runId, token])) as unknown[];
  return rows.length === 1;
}

/** Final status of a run we hold; false when it was no longer ours. */
export async function finishRun(db: Db, runId: string, token: string, status: 'SUCCEEDED' | 'FAILED', error: string | null): Promise<boolean> {
  const rows = await updateReturning<{ id: string }>(
    db,
    `UPDATE run SET status = $3, error = $4, finished_at = now(), claim_token = NULL,
            phase = CASE WHEN $3 = 'SUCCEEDED' THEN NULL ELSE phase END,
            progress = CASE WHEN $3 = 'SUCCEEDED' THEN 1 ELSE progress END,
            step = CASE WHEN $3 = 'SUCCEEDED' THEN COALESCE(total_steps, step) ELSE step END
      WHERE id = $1 AND claim_token = $2 AND status = 'RUNNING' RETURNING id`,
    [runId, token, status, error],
  );
  return rows.length === 1;
}

/** Puts RUNNING runs with a stale heartbeat back to QUEUED; returns their ids (to enqueue again). */
export async function requeueStale(db: Db, staleMs: number): Promise<string[]> {
  const rows = await updateReturning<{ id: string }>(
    db,
    `UPDATE run SET status = 'QUEUED', claim_token = NULL, phase = 'requeued: its worker stopped sending heartbeats'
      WHERE status = 'RUNNING' AND kind <> 'TRANSFER' AND heartbeat_at < now() - $1 * interval '1 millisecond'
      RETURNING id`,
    [staleMs],
  );
  return rows.map((r) => r.id);
}

/** Hands a run we hold back to the queue (graceful shutdown); false when it was no longer ours. */
export async function releaseRun(db: Db, runId: string, token: string): Promise<boolean> {
  const rows = await updateReturning<{ id: string }>(
    db,
    `UPDATE run SET status = 'QUEUED', claim_token = NULL, phase = 'requeued: its worker shut down'
      WHERE id = $1 AND claim_token = $2 AND status = 'RUNNING' RETURNING id`,
    [runId, token],
  );
  return rows.length === 1;
}
