import DataLoader from 'dataloader';
import type { DataSource, Repository } from 'typeorm';
import { evaluationsByTicket } from '../evaluation/evaluation.batch';
import type { Evaluation } from '../evaluation/evaluation.entity';
import type { Context } from '../kit/context';
import { Model } from '../model/model.entity';
import { paginate, type Connection, type PageArgs } from '../kit/connection';
import { BadInputError, NotFoundError } from '../kit/errors';
import { filterId, isUuid } from '../kit/ids';
import { layerSparsityForTickets } from './ticket.layer-counts';
import { Ticket, type LayerSparsity } from './ticket.entity';
import type { TicketFilter } from './ticket.input';

/** Where a ticket's mask can be downloaded (DESIGN §7 HTTP routes). */
export function maskPath(ticketId: string): string {
  return `/export/tickets/${ticketId}/mask.safetensors`;
}

export class TicketService {
  private readonly repo: Repository<Ticket>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(Ticket);
  }

  list(filter: TicketFilter | null | undefined, page: PageArgs): Promise<Connection<Ticket>> {
    const f = filter ?? {};
    const qb = this.repo.createQueryBuilder('t');
    const modelId = filterId('modelId', f.modelId);
    const taskId = filterId('taskId', f.taskId);
    const runId = filterId('runId', f.runId);
    for (const s of [f.minSparsity, f.maxSparsity]) {
      if (s !== null && s !== undefined && !(s >= 0 && s <= 1))
        throw new BadInputError(`sparsity bounds must be in [0, 1], got ${s}`);
    }
    if (modelId) qb.andWhere('t.model_id = :modelId', { modelId });
    if (taskId) qb.andWhere('t.task_id = :taskId', { taskId });
    if (runId) qb.andWhere('t.run_id = :runId', { runId });
    if (f.method) qb.andWhere('t.method = :method', { method: f.method });
    if (f.minSparsity !== null && f.minSparsity !== undefined)
      qb.andWhere('t.sparsity >= :minS', { minS: f.minSparsity });
    if (f.maxSparsity !== null && f.maxSparsity !== undefined)
      qb.andWhere('t.sparsity <= :maxS', { maxS: f.maxSparsity });
    return paginate(qb, 't', page);
  }

  async get(id: string): Promise<Ticket> {
    const found = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!found) throw new NotFoundError('ticket', id);
    return found;
  }

  /** Every evaluation of the ticket's mask, oldest first (batched per request). */
  evaluations(t: Ticket, ctx: Context): Promise<Evaluation[]> {
    return evaluationsByTicket(ctx, this.ds).load(t.id);
  }

  /** Per-matrix counts from the stored mask (batched per request: one query per layout). */
  layerSparsity(t: Ticket, ctx: Context): Promise<LayerSparsity[]> {
    const loader = ctx.batch.get(
      'layerSparsity',
      () =>
        new DataLoader<Ticket, LayerSparsity[], string>(
          (ts) => layerSparsityForTickets(this.ds, ts, (x) => ctx.loaders.load(Model, x.modelId)),
          { cacheKeyFn: (x) => x.id },
        ),
    );
    return loader.load(t);
  }

  /** Tickets a run produced, by level then sparsity. */
  forRun(runId: string): Promise<Ticket[]> {
    return this.repo.find({ where: { runId }, order: { level: 'ASC', sparsity: 'ASC', createdAt: 'ASC' } });
  }
}
