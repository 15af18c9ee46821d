/**
 * A TRANSFER run is a parent: its children (EVALUATE runs) do the work. Its status follows
 * theirs: RUNNING while any child is queued or running, then SUCCEEDED when all succeeded,
 * FAILED when any failed, CANCELLED otherwise. Called whenever a child reaches a final status.
 */
import type { DataSource } from 'typeorm';
import { RunStatus } from '../run/run.enums';
import { publishRunEvent } from '../run/run.events';

export async function settleParent(ds: DataSource, parentId: string | null): Promise<void> {
  if (!parentId) return;
  const rows = (await ds.query(
    `SELECT status, count(*)::int AS n FROM run WHERE parent_id = $1 GROUP BY status`,
    [parentId],
  )) as Array<{ status: string; n: number }>;
  const count = (s: string): number => rows.find((r) => r.status === s)?.n ?? 0;
  const total = rows.reduce((a, r) => a + r.n, 0);
  const open = count('QUEUED') + count('RUNNING');
  const finished = total - open;
  const progress = total === 0 ? 1 : finished / total;
  if (open > 0) {
    const r = (await ds.query(
      `UPDATE run SET progress = $2, step = $3, total_steps = $4 WHERE id = $1 AND status = 'RUNNING' AND kind = 'TRANSFER' RETURNING id`,
      [parentId, progress, finished, total],
    )) as unknown[];
    if ((Array.isArray(r[0]) ? (r[0] as unknown[]) : r).length) await publishRunEvent(ds, { runId: parentId, step: finished, totalSteps: total, progress });
    return;
  }
  const status = count('FAILED') > 0 ? RunStatus.FAILED : count('CANCELLED') > 0 ? RunStatus.CANCELLED : RunStatus.SUCCEEDED;
  const error = status === 'FAILED' ? `${count('FAILED')} of ${total} child runs failed` : null;
  const r = (await ds.query(
    `UPDATE run SET status = $2, error = $3, progress = 1, step = $4, total_steps = $4, finished_at = now(), phase = NULL
      WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') AND kind = 'TRANSFER' RETURNING id`,
    [parentId, status, error, total],
  )) as unknown[];
  if ((Array.isArray(r[0]) ? (r[0] as unknown[]) : r).length) {
    await publishRunEvent(ds, { runId: parentId, status, step: total, totalSteps: total, progress: 1, message: error });
  }
}
