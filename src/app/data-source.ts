/** The TypeORM DataSource: entities, hand-written migrations, never `synchronize`. */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { Initial1764300000000 } from '../../migrations/1764300000000-Initial';
import { RunQueue1764400000000 } from '../../migrations/1764400000000-RunQueue';
import { ApiToken1764500000000 } from '../../migrations/1764500000000-ApiToken';
import { ApiToken } from '../auth/api-token.entity';
import { Evaluation } from '../evaluation/evaluation.entity';
import { Model } from '../model/model.entity';
import { MetricPoint } from '../run/metric-point.entity';
import { Run } from '../run/run.entity';
import { Task } from '../task/task.entity';
import { Ticket } from '../ticket/ticket.entity';

export const ENTITIES = [Model, Task, Ticket, Evaluation, Run, MetricPoint, ApiToken];
/** In order; add each new migration class here. */
export const MIGRATIONS = [Initial1764300000000, RunQueue1764400000000, ApiToken1764500000000];

export function createDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    extra: { max: 10, application_name: 'ticketlab' },
  });
}

/** Arbitrary constant: serialises migrations when several processes start on one database. */
const MIGRATION_LOCK = 7_421_001;

/** Connects and applies pending migrations (each in its own transaction). Returns names applied. */
export async function openDatabase(url: string): Promise<{ dataSource: DataSource; applied: string[] }> {
  const dataSource = createDataSource(url);
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return { dataSource, applied: done.map((m) => m.name) };
  } catch (err) {
    await lock.release().catch(() => undefined);
    await dataSource.destroy();
    throw err;
  } finally {
    if (!lock.isReleased) {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      await lock.release();
    }
  }
}
