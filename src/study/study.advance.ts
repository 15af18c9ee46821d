/**
 * Moves a study forward: launches every step whose dependencies have succeeded (references to
 * tickets and to the relaxed sparsity resolved from stored results), then settles the study's
 * status and progress from its runs, and announces the change. Idempotent and serialised per
 * study (its row is locked for the duration), so any number of triggers — run events, the
 * periodic sweep, a restart — may call it.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { Json } from '../core/experiments/identity';
import type { StudyParams } from '../core/experiments/study';
import type { PlannedStep } from '../core/experiments/study-plan';
import { ticketRow, type Budgets, type StudyEvalRow } from '../core/experiments/study-report';
import type { LaunchService } from '../run/run.launch';
import { RunStatus } from '../run/run.enums';
import { publishStudyEvent } from './study-event';
import { budgetsOf, studyEvaluations, type Queryable } from './study.data';

interface StepRow {
  key: string;
  kind: PlannedStep['kind'];
  request: Record<string, Json>;
  depends_on: string[];
  run_id: string | null;
  status: RunStatus | null;
  progress: number | null;
  resolved: { error?: string } | null;
}

const TERMINAL = new Set<string>([RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED]);

class Unresolvable extends Error {}

async function steps(m: EntityManager, studyId: string): Promise<StepRow[]> {
  return (await m.query(
    `SELECT s.key, s.kind, s.request, s.depends_on, s.run_id, s.resolved, r.status, r.progress
       FROM study_step s LEFT JOIN run r ON r.id = s.run_id WHERE s.study_id = $1 ORDER BY s.key`,
    [studyId],
  )) as StepRow[];
}

/** The request with its references replaced by stored values. */
async function resolve(
  ds: Queryable,
  p: StudyParams,
  step: StepRow,
  byKey: Map<string, StepRow>,
  stored: () => Promise<[StudyEvalRow[], Budgets]>,
): Promise<Record<string, Json>> {
  const baselineSparsity = async (taskId: string): Promise<number> => {
    const [rows, budgets] = await stored();
    const row = ticketRow(p, rows, taskId, budgets);
    if (row.baselineSparsity === null) throw new Unresolvable(`task ${taskId} has no complete IMP curve`);
    return row.baselineSparsity;
  };
  const value = async (v: Json): Promise<Json> => {
    if (Array.isArray(v)) return Promise.all(v.map(value));
    if (v === null || typeof v !== 'object') return v;
    if ('$baselineSparsity' in v) return baselineSparsity(v.$baselineSparsity as string);
    if ('$ticket' in v) {
      const ref = v.$ticket as { step: string; sparsity: Json };
      const s = (await value(ref.sparsity)) as number;
      const runId = byKey.get(ref.step)?.run_id;
      const level = p.sparsities.indexOf(s) + 1;
      const rows = (await ds.query(`SELECT id FROM ticket WHERE run_id = $1 AND level = $2`, [runId, level])) as Array<{
        id: string;
      }>;
      if (!rows[0]) throw new Unresolvable(`step ${ref.step} stored no ticket at sparsity ${s}`);
      return rows[0].id;
    }
    return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await value(x)] as const)));
  };
  return (await value(step.request)) as Record<string, Json>;
}

export async function advanceStudy(ds: DataSource, launch: LaunchService, studyId: string): Promise<void> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.startTransaction();
    const [study] = (await qr.query(`SELECT id, status, params, progress FROM study WHERE id = $1 FOR UPDATE`, [
      studyId,
    ])) as Array<{ id: string; status: RunStatus; params: StudyParams; progress: number }>;
    if (!study || study.status === RunStatus.CANCELLED) {
      await qr.commitTransaction();
      return;
    }
    let launched = 0;
    for (let changed = true; changed;) {
      changed = false;
      const all = await steps(qr.manager, studyId);
      const byKey = new Map(all.map((s) => [s.key, s]));
      // Read once per pass, not once per baseline step: nothing this pass launches has stored results yet.
      let cached: Promise<[StudyEvalRow[], Budgets]> | null = null;
      const stored = () => (cached ??= Promise.all([studyEvaluations(qr, studyId), budgetsOf(qr, study.params)]));
      for (const s of all) {
        if (s.run_id || s.resolved?.error) continue;
        if (!s.depends_on.every((d) => byKey.get(d)?.status === RunStatus.SUCCEEDED)) continue;
        let resolved: Record<string, Json>;
        try {
          resolved = await resolve(qr, study.params, s, byKey, stored);
          const found =
            s.kind === 'PRUNE'
              ? await launch.pruneOrReuse(resolved as never)
              : await launch.evaluateOrReuse(resolved as never);
          await qr.query(
            `UPDATE study_step SET run_id = $3, reused = $4, resolved = $5, launched_at = now() WHERE study_id = $1 AND key = $2`,
            [studyId, s.key, found.run.id, !found.created, JSON.stringify(resolved)],
          );
          launched++;
          changed = true;
        } catch (e) {
          // Not yet resolvable (results still arriving): tried again at the next advance.
          if (e instanceof Unresolvable) continue;
          const error = e instanceof Error ? e.message : String(e);
          await qr.query(`UPDATE study_step SET resolved = $3 WHERE study_id = $1 AND key = $2`, [
            studyId,
            s.key,
            JSON.stringify({ error }),
          ]);
        }
      }
    }
    const all = await steps(qr.manager, studyId);
    const byKey = new Map(all.map((s) => [s.key, s]));
    const done = all.filter((s) => s.status && TERMINAL.has(s.status)).length;
    const active = all.some((s) => s.status === RunStatus.QUEUED || s.status === RunStatus.RUNNING);
    const broken = all.filter(
      (s) => s.resolved?.error || s.status === RunStatus.FAILED || s.status === RunStatus.CANCELLED,
    );
    // A step can still start if none of its dependencies failed (transitively through unlaunched steps).
    const blocked = (s: StepRow, seen = new Set<string>()): boolean =>
      !!s.resolved?.error ||
      s.status === RunStatus.FAILED ||
      s.status === RunStatus.CANCELLED ||
      (!s.run_id && s.depends_on.some((d) => !seen.has(d) && (seen.add(d), blocked(byKey.get(d)!, seen))));
    const pending = all.some((s) => !s.run_id && !blocked(s));
    let status: RunStatus;
    let error: string | null = null;
    if (done === all.length && broken.length === 0) status = RunStatus.SUCCEEDED;
    else if (!active && !pending && broken.length > 0) {
      status = RunStatus.FAILED;
      error = `${broken.length} planned run(s) did not succeed: ${broken
        .slice(0, 10)
        .map((s) => `${s.key} (${s.run_id ? `run ${s.run_id} ${s.status}` : s.resolved?.error})`)
        .join('; ')}${broken.length > 10 ? '; …' : ''}`;
    } else status = all.some((s) => s.status && s.status !== RunStatus.QUEUED) ? RunStatus.RUNNING : RunStatus.QUEUED;
    const progress =
      all.reduce((a, s) => a + (s.status === RunStatus.SUCCEEDED ? 1 : s.run_id ? Number(s.progress ?? 0) : 0), 0) /
      Math.max(1, all.length);
    const terminal = status === RunStatus.SUCCEEDED || status === RunStatus.FAILED;
    await qr.query(
      `UPDATE study SET status = $2, progress = $3, error = $4, updated_at = now(),
              started_at = CASE WHEN $2 <> 'QUEUED' THEN COALESCE(started_at, now()) END,
              finished_at = CASE WHEN $5 THEN COALESCE(finished_at, now()) END
        WHERE id = $1`,
      [studyId, status, progress, error, terminal],
    );
    await qr.commitTransaction();
    if (status !== study.status || Math.abs(progress - study.progress) > 1e-9 || launched > 0)
      await publishStudyEvent(ds, {
        studyId,
        status,
        progress,
        runsDone: done,
        runsTotal: all.length,
        message: error ?? (launched > 0 ? `${launched} run(s) started or reused` : null),
      });
  } catch (e) {
    if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
    throw e;
  } finally {
    await qr.release();
  }
}
