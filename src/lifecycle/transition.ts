/**
 * How a run transition is written: the UPDATE and the NOTIFY of its event in ONE statement
 * (`WITH t AS (UPDATE … RETURNING …) SELECT pg_notify(…) FROM t`). The event is built from the
 * row as stored, so no transition goes unannounced and no event describes a state that was not
 * stored. Inside a transaction the notification is delivered on commit, with the row.
 * Phase and message are cut to fit NOTIFY's 8000-byte payload: a long error is stored whole on
 * the row, and a notification too large must never keep a run from reaching its final status.
 */
import { EVENTS_CHANNEL, type Queryable } from '../events/bus';
import { RUN_EVENTS } from './run-events';
import type { RunStatus } from './states';

/** What a transition returns of each row it changed. */
export interface RunRow {
  id: string;
  kind: string;
  status: RunStatus;
  params: Record<string, unknown>;
  parent_id: string | null;
  attempts: number;
}

/** Extra fields of the event beyond the stored state. */
export interface EventExtras {
  message?: string | null;
  metrics?: Record<string, number> | null;
  /** when it happened (a compute step's time); the statement's clock when absent */
  at?: number;
  /** the message as an SQL expression over the stored row `t` (e.g. its attempt count) */
  messageSql?: string;
}

const RETURNING = 'id, kind, status, step, total_steps, progress, phase, params, parent_id, attempts';

/** The RUN_EVENTS envelope of row `t`, as bus.ts' publishEvent would send it. */
function envelope(p: number, messageSql?: string): string {
  return `json_build_object('topic', '${RUN_EVENTS}', 'payload', json_build_object(
    'runId', t.id, 'status', t.status, 'step', t.step, 'totalSteps', t.total_steps, 'progress', t.progress,
    'phase', left(t.phase, 1000), 'message', left(COALESCE($${p}::text, ${messageSql ?? 'NULL'}), 3000), 'metrics', $${p + 1}::json,
    'at', to_char(COALESCE($${p + 2}::timestamptz, clock_timestamp()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))::text`;
}

/**
 * Runs `update` (an UPDATE … WHERE …, without RETURNING) and announces every row it changed.
 * `update` uses $1…$n of `params`; the extras take the next three.
 */
export async function transition(
  db: Queryable,
  update: string,
  params: unknown[],
  extras: EventExtras = {},
): Promise<RunRow[]> {
  const n = params.length;
  const sql = `WITH t AS (${update} RETURNING ${RETURNING})
    SELECT t.id, t.kind, t.status, t.params, t.parent_id, t.attempts, pg_notify('${EVENTS_CHANNEL}', ${envelope(n + 1, extras.messageSql)}) FROM t`;
  const at = extras.at === undefined ? null : new Date(extras.at).toISOString();
  const metrics = extras.metrics ? JSON.stringify(extras.metrics) : null;
  return (await db.query(sql, [...params, extras.message ?? null, metrics, at])) as RunRow[];
}

/** Announces the stored state of runs without changing them (a run just inserted). */
export async function announce(db: Queryable, ids: string[], extras: EventExtras = {}): Promise<void> {
  if (ids.length === 0) return;
  const at = extras.at === undefined ? null : new Date(extras.at).toISOString();
  await db.query(`SELECT pg_notify('${EVENTS_CHANNEL}', ${envelope(2)}) FROM run t WHERE t.id = ANY($1::uuid[])`, [
    ids,
    extras.message ?? null,
    extras.metrics ? JSON.stringify(extras.metrics) : null,
    at,
  ]);
}
