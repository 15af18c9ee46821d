/**
 * The derived views of DESIGN §2/§7, answered from stored evaluations: sparsity curve, winning
 * tickets (relaxed and strict), transfer matrix and mask overlap.
 */
import { attackOf } from '../core/training/adversarial';
import { In, type DataSource } from 'typeorm';
import { Mask, maskOverlap } from '../core/pruning';
import { TrainingMode, WeightInit } from '../evaluation/evaluation.enums';
import { BadInputError, NotFoundError } from '../kit/errors';
import { isUuid } from '../kit/ids';
import { Model } from '../model/model.entity';
import { builtinRank } from '../task/task.builtin';
import { Task } from '../task/task.entity';
import { masksForTickets } from '../ticket/ticket.batch';
import { Ticket } from '../ticket/ticket.entity';
import { PruningMethod } from '../ticket/ticket.enums';
import {
  atLeastDense,
  checkSteps,
  denseKeyOf,
  denseStats,
  relative,
  requireRows,
  STATS_SQL,
  toStats,
} from './analysis.sql';
import type { CurvePoint, TransferCell, TransferMatrix } from './analysis.types';

export interface CurveArgs {
  modelId: string;
  taskId: string;
  method: PruningMethod;
  weightInit: WeightInit;
  trainingMode: TrainingMode;
  /** tickets found on this task (default: taskId itself; e.g. the PRETRAIN task for pre-training tickets). */
  sourceTaskId?: string | null;
  steps?: number | null;
  /** only tickets whose search cost at most this many steps */
  maxSearchSteps?: number | null;
  /** IMP tickets of this retraining rule (default REWIND_WEIGHTS; tickets without one count as it) */
  retraining?: string | null;
}

export interface WinningArgs {
  modelId: string;
  taskId: string;
  threshold: number;
  strict: boolean;
  trainingMode: TrainingMode;
  method?: PruningMethod | null;
  sourceTaskId?: string | null;
  steps?: number | null;
  maxSearchSteps?: number | null;
  retraining?: string | null;
}

export interface TransferArgs {
  modelId: string;
  sparsity: number;
  trainingMode: TrainingMode;
  method: PruningMethod;
  weightInit: WeightInit;
  tolerance?: number | null;
  steps?: number | null;
  /** only evaluations stored by these runs (a study's), dense baselines included */
  runIds?: string[] | null;
}

/** Built-in tasks first in kind order, then the others by creation (TaskService.list's order). */
function taskOrder(a: Task, b: Task): number {
  if (a.builtIn !== b.builtIn) return a.builtIn ? -1 : 1;
  if (a.builtIn) return builtinRank(a) - builtinRank(b);
  return a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);
}

export class AnalysisService {
  constructor(private readonly ds: DataSource) {}

  /**
   * Mean ± std of the primary score per exact ticket sparsity, over every evaluation (seeds and
   * tickets pooled) of the model's `method` tickets found on the source task and evaluated on the
   * task with the given init and mode; the dense point (no mask, same init) comes first.
   */
  async sparsityCurve(a: CurveArgs): Promise<CurvePoint[]> {
    const source = a.sourceTaskId ?? a.taskId;
    const steps = checkSteps(a.steps);
    const kind = await this.taskKind(a.modelId, a.taskId, source);
    const rows = (await this.ds.query(
      `SELECT t.sparsity, ${STATS_SQL}, count(DISTINCT t.id) AS tickets, avg(t.search_steps) AS search_steps
         FROM evaluation e JOIN ticket t ON t.id = e.ticket_id
        WHERE t.model_id = $1 AND e.model_id = $1 AND e.task_id = $2 AND t.task_id = $3 AND t.method = $4
          AND e.weight_init = $5 AND e.training_mode = $6 AND ($7::int IS NULL OR e.steps = $7)
          AND ($8::int IS NULL OR t.search_steps <= $8) AND COALESCE(t.retraining, 'REWIND_WEIGHTS') = $9
          AND e.attack = $10
        GROUP BY t.sparsity ORDER BY t.sparsity`,
      [
        a.modelId,
        a.taskId,
        source,
        a.method,
        a.weightInit,
        a.trainingMode,
        steps,
        checkSteps(a.maxSearchSteps, 'maxSearchSteps'),
        a.retraining ?? 'REWIND_WEIGHTS',
        attackOf(a.trainingMode),
      ],
    )) as Array<{
      sparsity: number;
      mean: string;
      std: string;
      n: string;
      tickets: string;
      search_steps: string | null;
    }>;
    const dense = await denseStats(this.ds, a.modelId, [a.taskId], a.trainingMode, steps, [
      WeightInit.PRETRAINED,
      a.weightInit,
    ]);
    const reference = dense.get(denseKeyOf(a.taskId));
    const points: CurvePoint[] = [];
    const denseHere = dense.get(denseKeyOf(a.taskId, a.weightInit));
    if (denseHere) {
      points.push({
        sparsity: 0,
        dense: true,
        score: denseHere.mean,
        scoreStd: denseHere.std,
        n: denseHere.n,
        tickets: 0,
        relativeScore: relative(denseHere.mean, reference, kind),
        searchSteps: 0,
      });
    }
    for (const r of rows) {
      const s = toStats(r);
      points.push({
        sparsity: Number(r.sparsity),
        dense: false,
        score: s.mean,
        scoreStd: s.std,
        n: s.n,
        tickets: Number(r.tickets),
        relativeScore: relative(s.mean, reference, kind),
        searchSteps: r.search_steps === null ? null : Number(r.search_steps),
      });
    }
    return points;
  }

  /**
   * Tickets whose mean score on the task (PRETRAINED init, over their evaluations) has a relative
   * score ≥ `threshold` — or, strict, is at least as good as the dense mean itself (for a loss
   * metric: no higher) — highest sparsity first.
   * Empty while the task has no dense evaluation to compare with.
   */
  async winningTickets(a: WinningArgs): Promise<Ticket[]> {
    if (!Number.isFinite(a.threshold) || a.threshold < 0)
      throw new BadInputError(`threshold must be a non-negative number, got ${a.threshold}`);
    const source = a.sourceTaskId ?? a.taskId;
    const steps = checkSteps(a.steps);
    const kind = await this.taskKind(a.modelId, a.taskId, source);
    const dense = (await denseStats(this.ds, a.modelId, [a.taskId], a.trainingMode, steps)).get(denseKeyOf(a.taskId));
    if (!dense) return [];
    const rows = (await this.ds.query(
      `SELECT t.id, t.sparsity, avg(e.score) AS mean
         FROM ticket t JOIN evaluation e ON e.ticket_id = t.id
        WHERE t.model_id = $1 AND t.task_id = $2 AND e.task_id = $3 AND e.training_mode = $4 AND e.weight_init = $5
          AND ($6::text IS NULL OR t.method = $6) AND ($7::int IS NULL OR e.steps = $7)
          AND ($8::int IS NULL OR t.search_steps <= $8) AND COALESCE(t.retraining, 'REWIND_WEIGHTS') = $9
          AND e.attack = $10
        GROUP BY t.id, t.sparsity`,
      [
        a.modelId,
        source,
        a.taskId,
        a.trainingMode,
        WeightInit.PRETRAINED,
        a.method ?? null,
        steps,
        checkSteps(a.maxSearchSteps, 'maxSearchSteps'),
        a.retraining ?? 'REWIND_WEIGHTS',
        attackOf(a.trainingMode),
      ],
    )) as Array<{ id: string; sparsity: number; mean: string }>;
    const winners = rows
      .map((r) => ({ id: r.id, sparsity: Number(r.sparsity), mean: Number(r.mean) }))
      .filter((r) => {
        if (a.strict) return atLeastDense(r.mean, dense, kind);
        const rel = relative(r.mean, dense, kind);
        return rel !== null && rel >= a.threshold;
      })
      .sort((x, y) => y.sparsity - x.sparsity || y.mean - x.mean || x.id.localeCompare(y.id));
    if (winners.length === 0) return [];
    const tickets = new Map(
      (await this.ds.getRepository(Ticket).findBy({ id: In(winners.map((w) => w.id)) })).map((t) => [t.id, t]),
    );
    return winners.map((w) => tickets.get(w.id)!).filter(Boolean);
  }

  /**
   * Source task × target task at one sparsity: the model's `method` tickets whose exact sparsity
   * is within `tolerance` of the requested one (default half a weight, i.e. the tickets whose
   * target this was), their evaluations pooled per (source, target) pair.
   */
  async transferMatrix(a: TransferArgs): Promise<TransferMatrix> {
    if (!(a.sparsity >= 0 && a.sparsity <= 1)) throw new BadInputError(`sparsity must be in [0, 1], got ${a.sparsity}`);
    if (a.tolerance !== null && a.tolerance !== undefined && !(a.tolerance >= 0 && a.tolerance <= 1)) {
      throw new BadInputError(`tolerance must be in [0, 1], got ${a.tolerance}`);
    }
    const steps = checkSteps(a.steps);
    await requireRows(this.ds, { model: ['modelId', a.modelId] });
    const model = (await this.ds.getRepository(Model).findOneBy({ id: a.modelId }))!;
    const tolerance =
      a.tolerance ?? (model.prunableParameterCount > 0 ? 0.5 / model.prunableParameterCount : 0) + 1e-12;
    const rows = (await this.ds.query(
      `SELECT t.task_id AS source, e.task_id AS target, array_agg(DISTINCT t.id) AS tickets, ${STATS_SQL}
         FROM ticket t JOIN evaluation e ON e.ticket_id = t.id
        WHERE t.model_id = $1 AND t.task_id IS NOT NULL AND t.method = $2 AND abs(t.sparsity - $3) <= $4
          AND e.training_mode = $5 AND e.weight_init = $6 AND ($7::int IS NULL OR e.steps = $7)
          AND ($8::uuid[] IS NULL OR e.run_id = ANY($8::uuid[])) AND ($8::uuid[] IS NOT NULL OR e.attack = $9)
        GROUP BY t.task_id, e.task_id`,
      [
        a.modelId,
        a.method,
        a.sparsity,
        tolerance,
        a.trainingMode,
        a.weightInit,
        steps,
        a.runIds ?? null,
        attackOf(a.trainingMode),
      ],
    )) as Array<{ source: string; target: string; tickets: string[]; mean: string; std: string; n: string }>;
    const taskIds = [...new Set(rows.flatMap((r) => [r.source, r.target]))];
    const ticketIds = [...new Set(rows.flatMap((r) => r.tickets))];
    const [tasks, tickets, dense] = await Promise.all([
      taskIds.length ? this.ds.getRepository(Task).findBy({ id: In(taskIds) }) : Promise.resolve([]),
      ticketIds.length ? this.ds.getRepository(Ticket).findBy({ id: In(ticketIds) }) : Promise.resolve([]),
      denseStats(
        this.ds,
        a.modelId,
        [...new Set(rows.map((r) => r.target))],
        a.trainingMode,
        steps,
        undefined,
        a.runIds,
      ),
    ]);
    const taskById = new Map(tasks.map((t) => [t.id, t]));
    const ticketById = new Map(tickets.map((t) => [t.id, t]));
    const sources = [...new Set(rows.map((r) => r.source))].map((id) => taskById.get(id)!).sort(taskOrder);
    const targets = [...new Set(rows.map((r) => r.target))].map((id) => taskById.get(id)!).sort(taskOrder);
    const rank = (list: Task[]) => new Map(list.map((t, i) => [t.id, i]));
    const [sRank, tRank] = [rank(sources), rank(targets)];
    const cells: TransferCell[] = rows
      .sort((x, y) => sRank.get(x.source)! - sRank.get(y.source)! || tRank.get(x.target)! - tRank.get(y.target)!)
      .map((r) => {
        const s = toStats(r);
        const cellTickets = [...r.tickets].sort().map((id) => ticketById.get(id)!);
        return {
          source: taskById.get(r.source)!,
          target: taskById.get(r.target)!,
          ticket: cellTickets.length === 1 ? cellTickets[0] : null,
          tickets: cellTickets,
          score: s.mean,
          scoreStd: s.std,
          n: s.n,
          relativeScore: relative(s.mean, dense.get(denseKeyOf(r.target)), taskById.get(r.target)!.kind),
        };
      });
    return { sparsity: a.sparsity, sources, targets, cells };
  }

  /** Checks the ids (400 malformed, 404 missing) and returns the evaluated task's kind. */
  private async taskKind(modelId: string, taskId: string, sourceTaskId: string): Promise<string> {
    await requireRows(this.ds, {
      model: ['modelId', modelId],
      tasks: [
        ['taskId', taskId],
        ['sourceTaskId', sourceTaskId],
      ],
    });
    return (await this.ds.getRepository(Task).findOneByOrFail({ id: taskId })).kind;
  }

  /** Jaccard |a ∩ b| / |a ∪ b| of the kept weights of two stored masks over the same model. */
  async maskOverlap(a: string, b: string): Promise<number> {
    for (const id of [a, b]) if (!isUuid(id)) throw new NotFoundError('ticket', id);
    const [ma, mb] = await masksForTickets(this.ds, [a, b]);
    if (!ma) throw new NotFoundError('ticket', a);
    if (!mb) throw new NotFoundError('ticket', b);
    if (ma.modelId !== mb.modelId) {
      throw new BadInputError(
        `tickets ${a} and ${b} are masks over different models (${ma.modelId}, ${mb.modelId}); overlap compares masks of one model`,
      );
    }
    if (ma.bits !== mb.bits)
      throw new BadInputError(`tickets ${a} and ${b} have masks of different lengths (${ma.bits}, ${mb.bits} bits)`);
    // Jaccard needs no tensor boundaries: one flat segment over all prunable weights.
    const flat = [{ name: 'prunable', shape: [ma.bits] }];
    return maskOverlap(Mask.fromPacked(flat, ma.packed), Mask.fromPacked(flat, mb.packed)).jaccard;
  }
}
