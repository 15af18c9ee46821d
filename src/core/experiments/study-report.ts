/**
 * The paper's tables from a study's stored evaluations (pure). Every number is a Stat over the
 * seeds' evaluations (study-stats.ts); relative scores divide by the dense mean of the same task
 * at the same fine-tune budget. Rows that have no evaluations yet are left out or null, so a
 * report of a running study is partial, never invented.
 */
import type { StepRole } from './study-plan';
import type { StudyParams } from './study';
import { statOf, type Stat } from './study-stats';

export interface StudyEvalRow {
  evaluationId: string;
  role: StepRole;
  taskId: string;
  ticketId: string | null;
  /** the ticket's IMP level (1.. for schedule sparsities; 0 for a baseline method's ticket) */
  ticketLevel: number | null;
  ticketMethod: string | null;
  weightInit: string;
  trainingMode: string;
  seed: number;
  steps: number;
  score: number;
}

export interface SparsityStat {
  sparsity: number;
  stat: Stat;
}

export interface TicketRow {
  taskId: string;
  dense: Stat | null;
  relaxedSparsity: number | null;
  strictSparsity: number | null;
  /** where the baselines are compared: the relaxed sparsity, or the schedule's lowest */
  baselineSparsity: number | null;
  imp: Stat | null;
  randomPruning: Stat | null;
  shuffledWeights: Stat | null;
  randomInit: Stat | null;
  oneShot: Stat | null;
  /** EARLY_BIRD tickets at the baseline sparsity (cheap tickets: compare with imp) */
  earlyBird: Stat | null;
  curve: SparsityStat[];
}

export interface TransferCellData {
  taskId: string;
  stat: Stat;
}

export interface TransferRowData {
  sparsity: number;
  cells: TransferCellData[];
  averageRelative: number | null;
  averageDrop: number | null;
  /** averageRelative per seed, as a Stat over seeds (its spread) */
  seedAverages: Stat | null;
}

export interface AdversarialRowData {
  sparsity: number;
  taskId: string;
  standard: Stat | null;
  adversarial: Stat | null;
}

/** The budget each role was run with, per task: Table 1 at stepsPerLevel, transfers at steps. */
export interface Budgets {
  impSteps(taskId: string): number;
  evalSteps(taskId: string): number;
  lowerIsBetter(taskId: string): boolean;
}

const scores = (rows: StudyEvalRow[]) => rows.map((r) => r.score);

function denseRows(rows: StudyEvalRow[], taskId: string, steps: number): StudyEvalRow[] {
  return rows.filter(
    (r) =>
      r.ticketId === null &&
      r.taskId === taskId &&
      r.weightInit === 'PRETRAINED' &&
      r.trainingMode === 'STANDARD' &&
      r.steps === steps &&
      (r.role === 'imp' || r.role === 'dense'),
  );
}

export function denseStat(rows: StudyEvalRow[], taskId: string, steps: number, lower: boolean): Stat | null {
  return statOf(scores(denseRows(rows, taskId, steps)), null, lower);
}

const sparsityOfLevel = (p: StudyParams, level: number | null) =>
  level !== null && level >= 1 && level <= p.sparsities.length ? p.sparsities[level - 1] : null;

/** Table 1 for one task. */
export function ticketRow(p: StudyParams, rows: StudyEvalRow[], taskId: string, b: Budgets): TicketRow {
  const lower = b.lowerIsBetter(taskId);
  const dense = denseStat(rows, taskId, b.impSteps(taskId), lower);
  const d = dense?.mean ?? null;
  const impRows = rows.filter((r) => r.role === 'imp' && r.taskId === taskId && r.ticketId !== null);
  const curve: SparsityStat[] = [];
  for (const [i, s] of p.sparsities.entries()) {
    const stat = statOf(scores(impRows.filter((r) => r.ticketLevel === i + 1)), d, lower);
    if (stat) curve.push({ sparsity: s, stat });
  }
  const better = (m: number) => (d === null ? false : lower ? m <= d : m >= d);
  const relaxed = curve.filter((c) => c.stat.relative !== null && c.stat.relative >= p.threshold);
  const strict = curve.filter((c) => better(c.stat.mean));
  const relaxedSparsity = relaxed.length ? relaxed[relaxed.length - 1].sparsity : null;
  const strictSparsity = strict.length ? strict[strict.length - 1].sparsity : null;
  // Until every seed's IMP run has its curve, the baselines have nowhere to be compared.
  const complete = dense !== null && curve.length === p.sparsities.length;
  const baselineSparsity = complete ? (relaxedSparsity ?? p.sparsities[0]) : null;
  const baseline = (pick: (r: StudyEvalRow) => boolean) =>
    statOf(scores(rows.filter((r) => r.role === 'baseline' && r.taskId === taskId && pick(r))), d, lower);
  return {
    taskId,
    dense,
    relaxedSparsity: complete ? relaxedSparsity : null,
    strictSparsity: complete ? strictSparsity : null,
    baselineSparsity,
    imp: curve.find((c) => c.sparsity === baselineSparsity)?.stat ?? null,
    randomPruning: baseline((r) => r.ticketMethod === 'RANDOM'),
    oneShot: baseline((r) => r.ticketMethod === 'ONE_SHOT'),
    earlyBird: baseline((r) => r.ticketMethod === 'EARLY_BIRD'),
    shuffledWeights: baseline((r) => r.weightInit === 'SHUFFLED'),
    randomInit: baseline((r) => r.weightInit === 'RANDOM'),
    curve,
  };
}

/** Table 2: the pre-training ticket on every task at each transfer sparsity (0 = the dense row). */
export function pretrainingTransfer(p: StudyParams, rows: StudyEvalRow[], b: Budgets): TransferRowData[] {
  if (!p.pretrainingTicket) return [];
  const dense = new Map(p.taskIds.map((t) => [t, denseStat(rows, t, b.evalSteps(t), b.lowerIsBetter(t))]));
  const out: TransferRowData[] = [];
  for (const s of [0, ...p.transferSparsities]) {
    const cells: TransferCellData[] = [];
    const perSeed = new Map<number, number[]>();
    for (const t of p.taskIds) {
      const d = dense.get(t) ?? null;
      const mine =
        s === 0
          ? denseRows(rows, t, b.evalSteps(t))
          : rows.filter(
              (r) => r.role === 'pretrain-transfer' && r.taskId === t && sparsityOfLevel(p, r.ticketLevel) === s,
            );
      const stat = statOf(scores(mine), d?.mean ?? null, b.lowerIsBetter(t));
      if (!stat) continue;
      cells.push({ taskId: t, stat });
      if (d)
        for (const r of mine) {
          const list = perSeed.get(r.seed) ?? [];
          list.push(d.mean === 0 ? NaN : r.score / d.mean);
          perSeed.set(r.seed, list);
        }
    }
    if (cells.length === 0) continue;
    const rel = cells.map((c) => c.stat.relative).filter((v): v is number => v !== null);
    const averageRelative = rel.length ? rel.reduce((a, v) => a + v, 0) / rel.length : null;
    // A seed's average counts only when that seed has every task: partial seeds would bias it.
    const complete = [...perSeed.values()].filter((v) => v.length === cells.length);
    out.push({
      sparsity: s,
      cells,
      averageRelative,
      averageDrop: averageRelative === null ? null : 1 - averageRelative,
      seedAverages: statOf(
        complete.map((v) => v.reduce((a, x) => a + x, 0) / v.length),
        null,
      ),
    });
  }
  return out;
}

/** Table 5: the pre-training ticket trained with and without adversarial training. */
export function adversarialTable(p: StudyParams, rows: StudyEvalRow[], b: Budgets): AdversarialRowData[] {
  const out: AdversarialRowData[] = [];
  for (const s of p.adversarialSparsities)
    for (const t of p.taskIds) {
      const lower = b.lowerIsBetter(t);
      const d = denseStat(rows, t, b.evalSteps(t), lower)?.mean ?? null;
      const at = (role: StepRole) =>
        statOf(
          scores(rows.filter((r) => r.role === role && r.taskId === t && sparsityOfLevel(p, r.ticketLevel) === s)),
          d,
          lower,
        );
      const standard = at('pretrain-transfer');
      const adversarial = at('adversarial');
      if (standard || adversarial) out.push({ sparsity: s, taskId: t, standard, adversarial });
    }
  return out;
}
