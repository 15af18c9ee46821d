/**
 * What a `serve` or `worker` process starts besides the API, on the process's one database: the
 * shipped model's row, and (unless disabled) a job worker.
 */
import type { Config } from '../config';
import { ensureBuiltinModel } from '../jobs/models';
import { startWorker, type RunningWorker } from '../jobs/worker';
import type { OpenDatabase } from './database';

export interface Jobs {
  worker: RunningWorker | null;
  /** Stops the worker (the database is the caller's to close). */
  close(): Promise<void>;
}

export async function startJobs(
  cfg: Config,
  db: OpenDatabase,
  runWorker: boolean,
  log: (l: string) => void,
): Promise<Jobs> {
  const { ds, databaseUrl } = db;
  const builtin = await ensureBuiltinModel(ds);
  if (builtin === null) log('shipped model mini-uniter not found: no built-in model registered');
  else if (builtin.changed)
    log(
      'warning: the shipped mini-uniter weights differ from the ones registered; results stored earlier refer to the old θ0',
    );
  const worker = runWorker
    ? await startWorker({ ds, databaseUrl, home: cfg.home, backend: cfg.backend, config: cfg.worker, log })
    : null;
  return {
    worker,
    async close() {
      await worker?.close();
    },
  };
}
