import type { DataSource, Repository } from 'typeorm';
import { paginate, type Connection, type PageArgs } from '../kit/connection';
import { lowerIsBetter } from '../core/lottery/evaluate';
import type { Context } from '../kit/context';
import { Task } from '../task/task.entity';
import { NotFoundError } from '../kit/errors';
import { filterId, isUuid } from '../kit/ids';
import { denseKey, denseMeanLoader } from './evaluation.batch';
import { Evaluation } from './evaluation.entity';
import type { EvaluationFilter } from './evaluation.input';

export class EvaluationService {
  private readonly repo: Repository<Evaluation>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(Evaluation);
  }

  list(filter: EvaluationFilter | null | undefined, page: PageArgs): Promise<Connection<Evaluation>> {
    const f = filter ?? {};
    const qb = this.repo.createQueryBuilder('e');
    const ids = {
      model_id: filterId('modelId', f.modelId),
      task_id: filterId('taskId', f.taskId),
      ticket_id: filterId('ticketId', f.ticketId),
      run_id: filterId('runId', f.runId),
    };
    for (const [col, v] of Object.entries(ids)) if (v) qb.andWhere(`e.${col} = :${col}`, { [col]: v });
    if (f.dense === true) qb.andWhere('e.ticket_id IS NULL');
    if (f.dense === false) qb.andWhere('e.ticket_id IS NOT NULL');
    if (f.weightInit) qb.andWhere('e.weight_init = :wi', { wi: f.weightInit });
    if (f.trainingMode) qb.andWhere('e.training_mode = :tm', { tm: f.trainingMode });
    return paginate(qb, 'e', page);
  }

  async get(id: string): Promise<Evaluation> {
    const found = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!found) throw new NotFoundError('evaluation', id);
    return found;
  }

  forRun(runId: string): Promise<Evaluation[]> {
    return this.repo.find({ where: { runId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * score ÷ mean dense score of the same model, task, training mode and steps (dense = no
   * ticket, PRETRAINED init), averaged over the dense seeds. The stored value wins when a run
   * wrote one; null when there is no dense evaluation to compare with (or a zero divisor).
   * Dense means are batched per request (one query for every evaluation of a page).
   */
  async relativeScore(e: Evaluation, ctx: Context): Promise<number | null> {
    if (e.relativeScore !== null) return e.relativeScore;
    const [mean, task] = await Promise.all([
      denseMeanLoader(ctx, this.ds).load(denseKey(e)),
      ctx.loaders.load(Task, e.taskId),
    ]);
    if (mean === null || !task) return null;
    // Oriented like the runs store it: for a loss metric (PRETRAIN) dense ÷ score.
    if (lowerIsBetter(task.kind)) return e.score === 0 ? null : mean / e.score;
    return mean === 0 ? null : e.score / mean;
  }
}
