/**
 * Every state transition of a run, each one named function, each writing its event with it
 * (transition.ts). Ownership lives on the run row (pg-boss 10 has no job heartbeat): a worker
 * claims a run with a fresh token; only the token holder may heartbeat, report, write results or
 * finish it; another worker takes a RUNNING run over only when its heartbeat is stale, and the
 * UPDATE … WHERE heartbeat stale lets exactly one of several racing workers win.
 *
 * TRANSFER runs are parents: no worker claims them; their status follows their children
 * (settleParent). The API and the workers both call this module; it knows neither.
 */
import { randomUUID } from 'crypto';
import type { Queryable } from '../events/bus';
import { RunStatus } from './states';
import { announce, transition, type RunRow } from './transition';

export { RunKind, RunStatus } from './states';

export interface ClaimedRun {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  parentId: string | null;
  attempts: number;
  token: string;
}

/** The names of the transitions, for tests and logs. */
export const TRANSITIONS = [
  'queued',
  'queueFailed',
  'claim',
  'heartbeat',
  'recordProvenance',
  'progress',
  'phase',
  'finish',
  'cancel',
  'retry',
  'requeueStale',
  'release',
  'settleParent',
] as const;

const ids = (rows: RunRow[]): string[] => rows.map((r) => r.id);
const OWNED = `id = $1 AND claim_token = $2 AND status = 'RUNNING'`;

/** New runs stored QUEUED (or a TRANSFER parent stored RUNNING) are announced in their transaction. */
export function queued(db: Queryable, runIds: string[]): Promise<void> {
  return announce(db, runIds);
}

/** A QUEUED run whose job could not be sent: FAILED, so that retryRun can queue it again. */
export async function queueFailed(db: Queryable, runId: string, error: string): Promise<boolean> {
  const rows = await transition(
    db,
    `UPDATE run SET status = 'FAILED', error = $2, finished_at = now() WHERE id = $1 AND status = 'QUEUED'`,
    [runId, error],
    { message: error },
  );
  return rows.length === 1;
}

/** Claims a QUEUED run, or a RUNNING one whose heartbeat is older than staleMs. */
export async function claim(db: Queryable, runId: string, staleMs: number): Promise<ClaimedRun | null> {
  const token = randomUUID();
  const [r] = await transition(
    db,
    `UPDATE run SET status = 'RUNNING', claim_token = $2, heartbeat_at = now(), attempts = attempts + 1,
            started_at = COALESCE(started_at, now()), error = NULL, finished_at = NULL
      WHERE id = $1 AND kind <> 'TRANSFER'
        AND (status = 'QUEUED' OR (status = 'RUNNING' AND (heartbeat_at IS NULL OR heartbeat_at < now() - $3 * interval '1 millisecond')))`,
    [runId, token, staleMs],
    { messageSql: `CASE WHEN t.attempts > 1 THEN 'attempt ' || t.attempts END` },
  );
  if (!r) return null;
  return { id: r.id, kind: r.kind, params: r.params, parentId: r.parent_id, attempts: r.attempts, token };
}

/** Refreshes the heartbeat (no event: nothing a client sees changes); false when no longer ours. */
export async function heartbeat(db: Queryable, runId: string, token: string): Promise<boolean> {
  const rows = (await db.query(
    `WITH t AS (UPDATE run SET heartbeat_at = now() WHERE ${OWNED} RETURNING id) SELECT id FROM t`,
    [runId, token],
  )) as unknown[];
  return rows.length === 1;
}

/**
 * What computes a run we hold (code version, backend, device, kernels, worker); no event: the
 * run's state does not change. Each attempt overwrites it: the results it stores are its own.
 */
export async function recordProvenance(db: Queryable, runId: string, token: string, p: object): Promise<boolean> {
  const rows = (await db.query(
    `WITH t AS (UPDATE run SET provenance = $3::jsonb WHERE ${OWNED} RETURNING id) SELECT id FROM t`,
    [runId, token, JSON.stringify(p)],
  )) as unknown[];
  return rows.length === 1;
}

/** Whether we still hold the run (cheap poll so a cancel is noticed within a second). */
export async function stillOwned(db: Queryable, runId: string, token: string): Promise<boolean> {
  const rows = (await db.query(`SELECT 1 FROM run WHERE ${OWNED}`, [runId, token])) as unknown[];
  return rows.length === 1;
}

/** Inside a transaction: locks the run row if we still hold it (serialises with cancel). */
export async function lockOwned(db: Queryable, runId: string, token: string): Promise<boolean> {
  const rows = (await db.query(`SELECT 1 FROM run WHERE ${OWNED} FOR UPDATE`, [runId, token])) as unknown[];
  return rows.length === 1;
}

/** Step, total and progress of a run we hold, with the latest logged values. */
export async function progress(
  db: Queryable,
  runId: string,
  token: string,
  p: { step: number; totalSteps: number; progress: number; metrics?: Record<string, number>; at?: number },
): Promise<boolean> {
  const rows = await transition(
    db,
    `UPDATE run SET step = $3, total_steps = $4, progress = $5 WHERE ${OWNED}`,
    [runId, token, p.step, p.totalSteps, Math.min(1, Math.max(0, p.progress))],
    { metrics: p.metrics, at: p.at },
  );
  return rows.length === 1;
}

/** What a run we hold is doing now (e.g. "level 3/9: fine-tune at sparsity 0.3"). */
export async function phase(db: Queryable, runId: string, token: string, text: string, at?: number): Promise<boolean> {
  const rows = await transition(db, `UPDATE run SET phase = $3 WHERE ${OWNED}`, [runId, token, text], { at });
  return rows.length === 1;
}

/** Final status of a run we hold; false when it was no longer ours. */
export async function finish(
  db: Queryable,
  runId: string,
  token: string,
  status: 'SUCCEEDED' | 'FAILED',
  error: string | null,
): Promise<boolean> {
  const rows = await transition(
    db,
    `UPDATE run SET status = $3, error = $4, finished_at = now(), claim_token = NULL,
            phase = CASE WHEN $3 = 'SUCCEEDED' THEN NULL ELSE phase END,
            progress = CASE WHEN $3 = 'SUCCEEDED' THEN 1 ELSE progress END,
            step = CASE WHEN $3 = 'SUCCEEDED' THEN COALESCE(total_steps, step) ELSE step END
      WHERE ${OWNED}`,
    [runId, token, status, error],
    { message: error },
  );
  return rows.length === 1;
}

/** QUEUED or RUNNING → CANCELLED at once, with the run's children; ids of the runs cancelled. */
export async function cancel(db: Queryable, runId: string): Promise<string[]> {
  return ids(
    await transition(
      db,
      `UPDATE run SET status = 'CANCELLED', finished_at = now(), claim_token = NULL, phase = NULL
      WHERE (id = $1 OR parent_id = $1) AND status IN ('QUEUED', 'RUNNING')`,
      [runId],
      { message: 'cancelled on request' },
    ),
  );
}

/**
 * FAILED or CANCELLED → QUEUED again (a TRANSFER parent → RUNNING, with its ended children); a
 * parent that had ended goes back to RUNNING. Returns the rows changed (the parent's last).
 */
export async function retry(db: Queryable, runId: string, kind: string, parentId: string | null): Promise<RunRow[]> {
  const rows = await transition(
    db,
    `UPDATE run SET status = CASE WHEN kind = 'TRANSFER' THEN 'RUNNING' ELSE 'QUEUED' END, error = NULL, finished_at = NULL,
            phase = CASE WHEN kind = 'TRANSFER' THEN NULL ELSE 'queued again on request' END
      WHERE (id = $1 OR (parent_id = $1 AND $2 = 'TRANSFER')) AND status IN ('FAILED', 'CANCELLED')`,
    [runId, kind],
  );
  if (rows.some((r) => r.id === runId) && parentId) {
    rows.push(
      ...(await transition(
        db,
        `UPDATE run SET status = 'RUNNING', finished_at = NULL, error = NULL WHERE id = $1 AND status IN ('FAILED', 'CANCELLED')`,
        [parentId],
      )),
    );
  }
  return rows;
}

/** RUNNING runs with a stale heartbeat back to QUEUED (their worker died); their ids, to enqueue again. */
export async function requeueStale(db: Queryable, staleMs: number): Promise<string[]> {
  const why = 'requeued: its worker stopped sending heartbeats';
  return ids(
    await transition(
      db,
      `UPDATE run SET status = 'QUEUED', claim_token = NULL, phase = $2
      WHERE status = 'RUNNING' AND kind <> 'TRANSFER' AND heartbeat_at < now() - $1 * interval '1 millisecond'`,
      [staleMs, why],
      { message: why },
    ),
  );
}

/** Hands a run we hold back to the queue (graceful shutdown); false when it was no longer ours. */
export async function release(db: Queryable, runId: string, token: string): Promise<boolean> {
  const why = 'requeued: its worker shut down';
  const rows = await transition(
    db,
    `UPDATE run SET status = 'QUEUED', claim_token = NULL, phase = $3 WHERE ${OWNED}`,
    [runId, token, why],
    { message: why },
  );
  return rows.length === 1;
}

/**
 * A TRANSFER parent's status follows its children: RUNNING (with progress = children ended /
 * children) while any is queued or running, then SUCCEEDED when all succeeded, FAILED when any
 * failed, CANCELLED otherwise. Called whenever a child reaches a final status.
 */
export async function settleParent(db: Queryable, parentId: string | null): Promise<void> {
  if (!parentId) return;
  const rows = (await db.query(`SELECT status, count(*)::int AS n FROM run WHERE parent_id = $1 GROUP BY status`, [
    parentId,
  ])) as Array<{ status: string; n: number }>;
  const count = (s: string): number => rows.find((r) => r.status === s)?.n ?? 0;
  const total = rows.reduce((a, r) => a + r.n, 0);
  const open = count('QUEUED') + count('RUNNING');
  const finished = total - open;
  if (open > 0) {
    await transition(
      db,
      `UPDATE run SET progress = $2, step = $3, total_steps = $4 WHERE id = $1 AND status = 'RUNNING' AND kind = 'TRANSFER'`,
      [parentId, total === 0 ? 1 : finished / total, finished, total],
    );
    return;
  }
  const status =
    count('FAILED') > 0 ? RunStatus.FAILED : count('CANCELLED') > 0 ? RunStatus.CANCELLED : RunStatus.SUCCEEDED;
  const error = status === RunStatus.FAILED ? `${count('FAILED')} of ${total} child runs failed` : null;
  await transition(
    db,
    `UPDATE run SET status = $2, error = $3, progress = 1, step = $4, total_steps = $4, finished_at = now(), phase = NULL
      WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') AND kind = 'TRANSFER'`,
    [parentId, status, error, total],
    { message: error },
  );
}
