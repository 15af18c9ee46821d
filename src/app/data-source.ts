/**
 * The TypeORM DataSource: hand-written migrations, never `synchronize`. The API passes the
 * entity list (entities.ts); workers and `migrate` run plain SQL and open it without entities, so
 * they load no GraphQL (the entities are type-graphql object types too).
 */
import 'reflect-metadata';
import { DataSource, type EntitySchema } from 'typeorm';
import { Initial1764300000000 } from '../../migrations/1764300000000-Initial';
import { RunQueue1764400000000 } from '../../migrations/1764400000000-RunQueue';
import { ApiToken1764500000000 } from '../../migrations/1764500000000-ApiToken';
import { Study1765000000000 } from '../../migrations/1765000000000-Study';
import { SearchCost1765100000000 } from '../../migrations/1765100000000-SearchCost';
import { Instability1765200000000 } from '../../migrations/1765200000000-Instability';
import { Attack1765300000000 } from '../../migrations/1765300000000-Attack';
/** In order; add each new migration class here. */
export const MIGRATIONS = [
  Initial1764300000000,
  RunQueue1764400000000,
  ApiToken1764500000000,
  Study1765000000000,
  SearchCost1765100000000,
  Instability1765200000000,
  Attack1765300000000,
];

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityList = Array<Function | EntitySchema>;

export function createDataSource(url: string, entities: EntityList = []): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
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
export async function openDatabase(
  url: string,
  entities: EntityList = [],
): Promise<{ dataSource: DataSource; applied: string[] }> {
  const dataSource = createDataSource(url, entities);
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
