/**
 * A study's report: the tables of core/experiments/study-report.ts over the evaluations its runs
 * stored, with tasks as rows of the API, the transfer matrix and mask overlap restricted to the
 * study's runs, the findings, and the provenance of the runs.
 */
import { In, type DataSource } from 'typeorm';
import { AnalysisService } from '../analysis/analysis.service';
import type { TransferMatrix } from '../analysis/analysis.types';
import type { StudyParams } from '../core/experiments/study';
import { findings } from '../core/experiments/study-findings';
import { adversarialTable, pretrainingTransfer, ticketRow } from '../core/experiments/study-report';
import type { Stat } from '../core/experiments/study-stats';
import { Mask, maskOverlap } from '../core/pruning';
import { TrainingMode, WeightInit } from '../evaluation/evaluation.enums';
import { BadInputError, NotFoundError } from '../kit/errors';
import { builtinRank } from '../task/task.builtin';
import { Task } from '../task/task.entity';
import { masksForTickets } from '../ticket/ticket.batch';
import { budgetsOf, studyEvaluations } from './study.data';
import type { AdversarialRow, Finding, OverlapMatrix, StudyProvenance, StudyTaskRow, TransferRow } from './study.types';

export interface ReportTables {
  tickets: StudyTaskRow[];
  pretrainingTransfer: TransferRow[];
  adversarial: AdversarialRow[];
  findings: Finding[];
}

export class StudyReportService {
  constructor(private readonly ds: DataSource) {}

  private async params(studyId: string): Promise<StudyParams> {
    const rows = (await this.ds.query(`SELECT params FROM study WHERE id = $1`, [studyId])) as Array<{
      params: StudyParams;
    }>;
    if (!rows[0]) throw new NotFoundError('study', studyId);
    return rows[0].params;
  }

  private async tasks(ids: string[]): Promise<Map<string, Task>> {
    const list = ids.length ? await this.ds.getRepository(Task).findBy({ id: In(ids) }) : [];
    return new Map(list.map((t) => [t.id, t]));
  }

  /** Study task order: the built-in kinds' order, then by name. */
  private ordered(p: StudyParams, tasks: Map<string, Task>): string[] {
    const rank = (id: string) => {
      const t = tasks.get(id);
      const k = builtinRank(t ?? { builtIn: false, kind: '' });
      return [k, t?.name ?? id] as const;
    };
    return [...p.taskIds].sort((a, b) => {
      const [ka, na] = rank(a);
      const [kb, nb] = rank(b);
      return ka - kb || na.localeCompare(nb);
    });
  }

  async tables(studyId: string): Promise<ReportTables> {
    const p = await this.params(studyId);
    const [rows, budgets, tasks] = await Promise.all([
      studyEvaluations(this.ds, studyId),
      budgetsOf(this.ds, p),
      this.tasks([...p.taskIds, ...(p.pretrainTaskId ? [p.pretrainTaskId] : [])]),
    ]);
    const ordered = { ...p, taskIds: this.ordered(p, tasks) };
    const t = ordered.taskIds.map((id) => ticketRow(ordered, rows, id, budgets));
    const tr = pretrainingTransfer(ordered, rows, budgets);
    const adv = adversarialTable(ordered, rows, budgets);
    const name = (id: string) => tasks.get(id)?.name ?? id;
    return {
      tickets: t.map((r) => ({ ...r, task: tasks.get(r.taskId)! })),
      pretrainingTransfer: tr.map((r) => ({
        ...r,
        cells: r.cells.map((c) => ({
          target: tasks.get(c.taskId)!,
          score: c.stat.mean,
          relativeScore: c.stat.relative,
          n: c.stat.n,
          stat: c.stat as Stat,
        })),
      })),
      adversarial: adv.map((r) => ({ ...r, task: tasks.get(r.taskId)! })),
      findings: findings(t, tr, adv, name, p.threshold, p),
    };
  }

  private async runIds(studyId: string): Promise<string[]> {
    const rows = (await this.ds.query(
      `SELECT DISTINCT run_id FROM study_step WHERE study_id = $1 AND run_id IS NOT NULL`,
      [studyId],
    )) as Array<{ run_id: string }>;
    return rows.map((r) => r.run_id);
  }

  /** The transfer matrix (analysis transferMatrix) over the study's IMP tickets and evaluations only. */
  async transfer(studyId: string, sparsity: number): Promise<TransferMatrix> {
    const p = await this.params(studyId);
    const runIds = await this.runIds(studyId);
    return new AnalysisService(this.ds).transferMatrix({
      modelId: p.modelId,
      sparsity,
      trainingMode: TrainingMode.STANDARD,
      method: 'IMP',
      weightInit: WeightInit.PRETRAINED,
      runIds: runIds.length ? runIds : ['00000000-0000-0000-0000-000000000000'],
    });
  }

  async overlap(studyId: string, sparsity: number): Promise<OverlapMatrix> {
    const p = await this.params(studyId);
    const level = p.sparsities.indexOf(sparsity) + 1;
    if (level === 0)
      throw new BadInputError(`sparsity: ${sparsity} is not in the study's IMP schedule (${p.sparsities.join(', ')})`);
    const rows = (await this.ds.query(
      `SELECT t.id, t.task_id, t.seed FROM study_step s JOIN ticket t ON t.run_id = s.run_id
        WHERE s.study_id = $1 AND s.role IN ('imp', 'pretrain-imp') AND t.level = $2`,
      [studyId, level],
    )) as Array<{ id: string; task_id: string; seed: number }>;
    // Only tasks with a ticket for every seed: each cell then averages the same seeds.
    const complete = [...new Set(rows.map((r) => r.task_id))].filter((t) =>
      p.seeds.every((k) => rows.some((r) => r.task_id === t && r.seed === k)),
    );
    const tasks = await this.tasks(complete);
    const order = [...this.ordered({ ...p, taskIds: p.taskIds.filter((t) => tasks.has(t)) }, tasks)];
    if (p.pretrainTaskId && tasks.has(p.pretrainTaskId)) order.push(p.pretrainTaskId);
    const masks = await masksForTickets(
      this.ds,
      rows.map((r) => r.id),
    );
    const bySeedTask = new Map<string, Mask>();
    rows.forEach((r, i) => {
      const m = masks[i];
      if (m)
        bySeedTask.set(`${r.task_id}|${r.seed}`, Mask.fromPacked([{ name: 'prunable', shape: [m.bits] }], m.packed));
    });
    const values = order.map((a) =>
      order.map((b) => {
        const js = p.seeds
          .map((k) => [bySeedTask.get(`${a}|${k}`), bySeedTask.get(`${b}|${k}`)] as const)
          .filter(([x, y]) => x && y)
          .map(([x, y]) => maskOverlap(x!, y!).jaccard);
        return js.reduce((s, v) => s + v, 0) / Math.max(1, js.length);
      }),
    );
    return { sparsity, tasks: order.map((id) => tasks.get(id)!), values };
  }

  async provenance(studyId: string): Promise<StudyProvenance[]> {
    const rows = (await this.ds.query(
      `SELECT r.provenance->>'version' AS version, r.provenance->>'commit' AS commit, r.provenance->>'backend' AS backend,
              r.provenance->>'device' AS device, r.provenance->>'kernels' AS kernels, r.provenance->>'worker' AS worker,
              count(DISTINCT r.id)::int AS runs
         FROM study_step s JOIN run r ON r.id = s.run_id
        WHERE s.study_id = $1 AND r.provenance IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY runs DESC, worker`,
      [studyId],
    )) as StudyProvenance[];
    return rows;
  }
}
