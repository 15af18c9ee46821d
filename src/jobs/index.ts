/**
 * What a `serve` or `worker` process starts besides the API: a DataSource of its own, the shipped
 * model's row, and (unless disabled) a job worker.
 */
import type { Config } from '../config';
import { openDatabase } from '../db/data-source';
import { ensureBuiltinModel } from './models';
import { startWorker, type RunningWorker } from './worker';

export interface Jobs {
  worker: RunningWorker | null;
  close(): Promise<void>;
}

export async function startJobs(cfg: Config, databaseUrl: string, runWorker: boolean, log: (l: string) => void): Promise<Jobs> {
  const { dataSource: ds } = await openDatabase(databaseUrl);
  try {
    const builtin = await ensureBuiltinModel(ds);
    if (builtin === null) log('shipped model mini-uniter not found: no built-in model registered');
    else if (builtin.changed) log('warning: the shipped mini-uniter weights differ from the ones registered; results stored earlier refer to the old θ0');
    let worker: RunningWorker | null = null;
    if (runWorker) {
      worker = await startWorker({ ds, databaseUrl, home: cfg.home, backend: cfg.backend, config: cfg.worker, log });
    }
    return {
      worker,
      async close() {
        await worker?.close();
        await ds.destroy();
      },
    };
  } catch (e) {
    await ds.destroy();
    throw e;
  }
}
