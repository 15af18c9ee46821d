import type { DataSource, Repository } from 'typeorm';
import { NotFoundError } from '../kit/errors';
import { isUuid } from '../kit/ids';
import { BUILTIN_TASKS } from './task.builtin';
import { Task } from './task.entity';

export class TaskService {
  private readonly repo: Repository<Task>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(Task);
  }

  /** Built-in tasks first (in kind order), then the others by creation. */
  list(): Promise<Task[]> {
    return this.repo
      .createQueryBuilder('t')
      .orderBy('t.built_in', 'DESC')
      .addOrderBy(`array_position(ARRAY[${BUILTIN_TASKS.map((b) => `'${b.kind}'`).join(',')}], t.kind)`)
      .addOrderBy('t.created_at', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .getMany();
  }

  async get(id: string): Promise<Task> {
    const found = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!found) throw new NotFoundError('task', id);
    return found;
  }

  /** One built-in row per kind, keyed by the partial unique index on (kind) WHERE built_in. */
  async ensureBuiltins(): Promise<void> {
    for (const b of BUILTIN_TASKS) {
      await this.ds.query(
        `INSERT INTO task (name, kind, metric, built_in, train_size, val_size, test_size, params)
         VALUES ($1, $2, $3, true, $4, $5, $6, $7)
         ON CONFLICT (kind) WHERE built_in DO UPDATE
           SET name = EXCLUDED.name, metric = EXCLUDED.metric, train_size = EXCLUDED.train_size,
               val_size = EXCLUDED.val_size, test_size = EXCLUDED.test_size`,
        [b.name, b.kind, b.metric, b.trainSize, b.valSize, b.testSize, JSON.stringify({ generator: 'SyntheticVL' })],
      );
    }
  }
}
