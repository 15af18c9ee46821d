/** The stored results a study's report and planning read: its runs' evaluations, and its budgets. */
import type { DataSource } from 'typeorm';
import type { TaskKind } from '../core/data';
import { lowerIsBetter } from '../core/lottery/evaluate';
import { defaultSteps } from '../core/experiments/params';
import type { StudyParams } from '../core/experiments/study';
import type { Budgets, StudyEvalRow } from '../core/experiments/study-report';
import type { StudyCost } from './study.types';

/** A DataSource, or a query runner inside a transaction (whose uncommitted steps it sees). */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Every evaluation stored by a run the study uses (reused runs included), once each, with the
 * role of the step that uses the run. Ordered by id, so the same rows come back in the same order.
 */
export async function studyEvaluations(ds: Queryable, studyId: string): Promise<StudyEvalRow[]> {
  const rows = (await ds.query(
    `SELECT DISTINCT ON (e.id) e.id, s.role, e.task_id, e.ticket_id, t.level, t.method, e.weight_init,
            e.training_mode, e.seed, e.steps, e.score
       FROM study_step s JOIN evaluation e ON e.run_id = s.run_id LEFT JOIN ticket t ON t.id = e.ticket_id
      WHERE s.study_id = $1
      ORDER BY e.id, s.key`,
    [studyId],
  )) as Array<{
    id: string;
    role: StudyEvalRow['role'];
    task_id: string;
    ticket_id: string | null;
    level: number | null;
    method: string | null;
    weight_init: string;
    training_mode: string;
    seed: number;
    steps: number;
    score: number;
  }>;
  return rows.map((r) => ({
    evaluationId: r.id,
    role: r.role,
    taskId: r.task_id,
    ticketId: r.ticket_id,
    ticketLevel: r.level,
    ticketMethod: r.method,
    weightInit: r.weight_init,
    trainingMode: r.training_mode,
    seed: r.seed,
    steps: r.steps,
    score: Number(r.score),
  }));
}

export async function taskKinds(ds: Queryable, p: StudyParams): Promise<Map<string, TaskKind>> {
  const ids = [...p.taskIds, ...(p.pretrainTaskId ? [p.pretrainTaskId] : [])];
  const rows = (await ds.query(`SELECT id, kind FROM task WHERE id = ANY($1::uuid[])`, [ids])) as Array<{
    id: string;
    kind: TaskKind;
  }>;
  return new Map(rows.map((r) => [r.id, r.kind]));
}

export async function budgetsOf(ds: Queryable, p: StudyParams): Promise<Budgets> {
  const kinds = await taskKinds(ds, p);
  const own = (t: string) => defaultSteps(kinds.get(t) ?? 'VQA');
  return {
    impSteps: (t) => p.stepsPerLevel ?? own(t),
    evalSteps: (t) => p.steps ?? own(t),
    lowerIsBetter: (t) => lowerIsBetter(kinds.get(t) ?? 'VQA'),
  };
}

/** Runs used and reused, and steps and seconds of the runs the study started itself. */
export async function studyCost(ds: DataSource, id: string): Promise<StudyCost> {
  const [c] = (await ds.query(
    `WITH u AS (SELECT run_id, bool_and(reused) AS reused FROM study_step
                 WHERE study_id = $1 AND run_id IS NOT NULL GROUP BY run_id)
     SELECT count(*)::int AS runs, count(*) FILTER (WHERE u.reused)::int AS reused,
            coalesce(sum(r.step) FILTER (WHERE NOT u.reused), 0)::float8 AS steps,
            coalesce(sum(extract(epoch FROM coalesce(r.finished_at, now()) - r.started_at))
                     FILTER (WHERE NOT u.reused AND r.started_at IS NOT NULL), 0)::float8 AS seconds
       FROM u JOIN run r ON r.id = u.run_id`,
    [id],
  )) as Array<{ runs: number; reused: number; steps: number; seconds: number }>;
  return { runs: c.runs, reusedRuns: c.reused, trainingSteps: c.steps, computeSeconds: c.seconds };
}
