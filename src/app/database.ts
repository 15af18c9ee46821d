/**
 * The database a process works on: DATABASE_URL, or the embedded PostgreSQL of TICKETLAB_HOME,
 * opened once per process and migrated once (serve, worker, migrate and the token command).
 */
import * as fs from 'fs';
import type { DataSource } from 'typeorm';
import { runtimeFile, type Config } from '../config';
import { startEmbeddedPostgres } from '../db/embedded';
import { openDatabase, type EntityList } from './data-source';

export interface OpenDatabase {
  ds: DataSource;
  databaseUrl: string;
  /** true when this process started the embedded PostgreSQL */
  embedded: boolean;
  /** Closes the DataSource, then stops the embedded PostgreSQL this process started. */
  close(): Promise<void>;
}

async function open(
  url: string,
  stop: () => Promise<void>,
  embedded: boolean,
  log: (l: string) => void,
  entities: EntityList,
): Promise<OpenDatabase> {
  try {
    const { dataSource, applied } = await openDatabase(url, entities);
    if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
    return {
      ds: dataSource,
      databaseUrl: url,
      embedded,
      close: async () => {
        await dataSource.destroy();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Connects to (or starts) PostgreSQL and migrates it. `entities`: the API's (app/entities.ts);
 * none for workers and `migrate`, which use plain SQL.
 */
export async function openConfiguredDatabase(
  cfg: Config,
  log: (l: string) => void,
  entities: EntityList = [],
): Promise<OpenDatabase> {
  if (cfg.databaseUrl) return open(cfg.databaseUrl, async () => undefined, false, log, entities);
  const embedded = await startEmbeddedPostgres(cfg.home, log);
  return open(embedded.url, () => embedded.stop(), true, log, entities);
}

/** The database of a live server on `home` (its runtime.json, if its process is alive). */
export function runningServerDatabase(home: string): string | null {
  const file = runtimeFile(home);
  if (!fs.existsSync(file)) return null;
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number; databaseUrl: string };
    process.kill(info.pid, 0);
    return info.databaseUrl;
  } catch {
    return null; // stale file of a server that died: its embedded PostgreSQL is ours to start
  }
}

/**
 * For commands beside a server (`token`): DATABASE_URL, else the database of the server running
 * on TICKETLAB_HOME, else its embedded PostgreSQL, started for the command and stopped after it.
 */
export function openCommandDatabase(
  cfg: Config,
  log: (l: string) => void,
  entities: EntityList,
): Promise<OpenDatabase> {
  const url = cfg.databaseUrl ?? runningServerDatabase(cfg.home);
  if (url) return open(url, async () => undefined, false, log, entities);
  return openConfiguredDatabase(cfg, log, entities);
}
