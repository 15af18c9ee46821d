import type { DataSource, Repository } from 'typeorm';
import { paginate, type Connection, type PageArgs } from '../graphql/connection';
import { BadInputError, NotFoundError } from '../graphql/errors';
import { filterId, isUuid } from '../graphql/ids';
import { Ticket } from './ticket.entity';
import type { TicketFilter } from './ticket.input';

/** Where a ticket's mask can be downloaded (DESIGN §7 HTTP routes). */
export function maskPath(ticketId: string): string {
  return `/export/tickets/${ticketId}/mask.safetensors`;
}

export class TicketService {
  private readonly repo: Repository<Ticket>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(Ticket);
  }

  list(filter: TicketFilter | null | undefined, page: PageArgs): Promise<Connection<Ticket>> {
    const f = filter ?? {};
    const qb = this.repo.createQueryBuilder('t');
    const modelId = filterId('modelId', f.modelId);
    const taskId = filterId('taskId', f.taskId);
    const runId = filterId('runId', f.runId);
    for (const s of [f.minSparsity, f.maxSparsity]) {
      if (s !== null && s !== undefined && !(s >= 0 && s <= 1)) throw new BadInputError(`sparsity bounds must be in [0, 1], got ${s}`);
    }
    if (modelId) qb.andWhere('t.model_id = :modelId', { modelId });
    if (taskId) qb.andWhere('t.task_id = :taskId', { taskId });
    if (runId) qb.andWhere('t.run_id = :runId', { runId });
    if (f.method) qb.andWhere('t.method = :method', { method: f.method });
    if (f.minSparsity !== null && f.minSparsity !== undefined) qb.andWhere('t.sparsity >= :minS', { minS: f.minSparsity });
    if (f.maxSparsity !== null && f.maxSparsity !== undefined) qb.andWhere('t.sparsity <= :maxS', { maxS: f.maxSparsity });
    return paginate(qb, 't', page);
  }

  async get(id: string): Promise<Ticket> {
    const found = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!found) throw new NotFoundError('ticket', id);
    return found;
  }

  /** Tickets a run produced, by level then sparsity. */
  forRun(runId: string): Promise<Ticket[]> {
    return this.repo.find({ where: { runId }, order: { level: 'ASC', sparsity: 'ASC', createdAt: 'ASC' } });
  }
}
