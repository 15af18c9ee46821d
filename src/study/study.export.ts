/**
 * A study's whole report as plain data, for GET /export/studies/{id}/report.json and .csv:
 * the three tables, the findings, the transfer matrix and mask overlap at the task-transfer
 * sparsity, the cost and the provenance. One CSV row per table cell, with a `table` column.
 */
import type { DataSource } from 'typeorm';
import type { StudyParams } from '../core/experiments/study';
import type { Stat } from '../core/experiments/study-stats';
import { StudyReportService } from './study.report';
import { studyCost } from './study.data';

export async function studyReportData(ds: DataSource, studyId: string): Promise<Record<string, unknown> | null> {
  const rows = (await ds.query(`SELECT * FROM study WHERE id = $1`, [studyId])) as Array<Record<string, unknown>>;
  if (!rows[0]) return null;
  const s = rows[0];
  const p = s.params as StudyParams;
  const reports = new StudyReportService(ds);
  const tables = await reports.tables(studyId);
  const task = (t: { id: string; name: string; kind: string }) => ({ id: t.id, name: t.name, kind: t.kind });
  const transfer = p.taskTransfer ? await reports.transfer(studyId, p.taskTransferSparsity) : null;
  return {
    study: {
      id: s.id,
      name: s.name,
      status: s.status,
      progress: s.progress,
      params: p,
      error: s.error,
      createdAt: s.created_at,
      startedAt: s.started_at,
      finishedAt: s.finished_at,
    },
    cost: await studyCost(ds, studyId),
    tickets: tables.tickets.map((r) => ({ ...r, task: task(r.task) })),
    pretrainingTransfer: tables.pretrainingTransfer.map((r) => ({
      ...r,
      cells: r.cells.map((c) => ({ ...c, target: task(c.target) })),
    })),
    adversarial: tables.adversarial.map((r) => ({ ...r, task: task(r.task) })),
    findings: tables.findings,
    transfer: transfer && {
      sparsity: transfer.sparsity,
      cells: transfer.cells.map((c) => ({
        source: task(c.source),
        target: task(c.target),
        score: c.score,
        relativeScore: c.relativeScore,
        n: c.n,
      })),
    },
    overlap: await reports
      .overlap(studyId, p.taskTransfer ? p.taskTransferSparsity : p.sparsities[0])
      .then((o) => ({ ...o, tasks: o.tasks.map(task) })),
    provenance: await reports.provenance(studyId),
  };
}

export const REPORT_CSV_COLUMNS = [
  'table',
  'task',
  'source',
  'sparsity',
  'column',
  'mean',
  'std',
  'n',
  'ci95',
  'relative',
];

type Cell = Array<string | number | null>;

function statCells(
  table: string,
  task: string,
  source: string,
  sparsity: number | null,
  column: string,
  s: Stat | null,
): Cell[] {
  if (!s) return [];
  return [[table, task, source, sparsity, column, s.mean, s.std, s.n, s.ci95, s.relative]];
}

/** The report's table cells as CSV rows (values as in report.json). */
export function reportCsvRows(r: Record<string, unknown>): Cell[] {
  const out: Cell[] = [];
  type Named = { name: string };
  for (const t of r.tickets as Array<
    Record<string, unknown> & { task: Named; curve: Array<{ sparsity: number; stat: Stat }> }
  >) {
    out.push(...statCells('tickets', t.task.name, '', 0, 'dense', t.dense as Stat | null));
    for (const c of t.curve) out.push(...statCells('curve', t.task.name, '', c.sparsity, 'imp', c.stat));
    const at = t.baselineSparsity as number | null;
    for (const col of ['imp', 'randomPruning', 'shuffledWeights', 'randomInit', 'oneShot', 'earlyBird'])
      out.push(...statCells('tickets', t.task.name, '', at, col, t[col] as Stat | null));
    out.push([
      'tickets',
      t.task.name,
      '',
      t.relaxedSparsity as number | null,
      'relaxedSparsity',
      null,
      null,
      null,
      null,
      null,
    ]);
    out.push([
      'tickets',
      t.task.name,
      '',
      t.strictSparsity as number | null,
      'strictSparsity',
      null,
      null,
      null,
      null,
      null,
    ]);
  }
  for (const row of r.pretrainingTransfer as Array<{
    sparsity: number;
    cells: Array<{ target: Named; stat: Stat }>;
    averageRelative: number | null;
  }>) {
    for (const c of row.cells)
      out.push(...statCells('pretrainingTransfer', c.target.name, 'PRETRAIN', row.sparsity, 'score', c.stat));
    out.push([
      'pretrainingTransfer',
      '',
      'PRETRAIN',
      row.sparsity,
      'averageRelative',
      row.averageRelative,
      null,
      null,
      null,
      null,
    ]);
  }
  for (const a of r.adversarial as Array<{
    sparsity: number;
    task: Named;
    standard: Stat | null;
    adversarial: Stat | null;
  }>) {
    out.push(...statCells('adversarial', a.task.name, 'PRETRAIN', a.sparsity, 'standard', a.standard));
    out.push(...statCells('adversarial', a.task.name, 'PRETRAIN', a.sparsity, 'adversarial', a.adversarial));
  }
  const tr = r.transfer as {
    sparsity: number;
    cells: Array<{ source: Named; target: Named; score: number; relativeScore: number | null; n: number }>;
  } | null;
  for (const c of tr?.cells ?? [])
    out.push([
      'transfer',
      c.target.name,
      c.source.name,
      tr!.sparsity,
      'score',
      c.score,
      null,
      c.n,
      null,
      c.relativeScore,
    ]);
  return out;
}
