/**
 * A job worker: `concurrency` pg-boss consumers of the run queue (pg-boss 10 runs one job per
 * work() consumer at a time), plus a periodic scan that requeues RUNNING runs whose heartbeat is
 * stale — their worker died — so a live worker takes them over within staleMs + scan interval +
 * polling interval, and sends a job again for QUEUED runs that have none. Used in-process by `ticketlab serve` and alone by `ticketlab worker`.
 */
import type PgBoss from 'pg-boss';
import type { DataSource } from 'typeorm';
import type { WorkerConfig } from '../config';
import * as lifecycle from '../lifecycle/run-lifecycle';
import { enqueueRun, openQueue, RUN_QUEUE, unqueuedRuns, type RunJob } from './queue';
import type { ComputeMode } from './compute/run-compute';
import { executeRun } from './runner';

export interface WorkerOptions {
  ds: DataSource;
  databaseUrl: string;
  home: string;
  backend: string | null;
  config: WorkerConfig;
  log(line: string): void;
}

export interface RunningWorker {
  boss: PgBoss;
  /**
   * Stops taking jobs and hands the runs in progress back to the queue, so another worker resumes
   * them at once (after a crash instead, they wait for their heartbeat to go stale).
   */
  close(): Promise<void>;
}

/**
 * The tensorflow backend (tfjs-node, CUDA) cannot be loaded by a second worker thread
 * (tensorflow/tfjs#8388), so it computes in child processes; wasm and cpu use threads.
 */
export function defaultComputeMode(backend: string | null): ComputeMode {
  if (backend === 'tensorflow') return 'process';
  if (backend !== null) return 'thread';
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(pkg);
      return 'process';
    } catch {
      // not installed
    }
  }
  return 'thread';
}

export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const boss = await openQueue({ databaseUrl: o.databaseUrl, supervise: true, log: o.log });
  const active = new Map<string, string>();
  const computeMode = o.config.compute ?? defaultComputeMode(o.backend);
  const runner = {
    ds: o.ds,
    home: o.home,
    backend: o.backend,
    heartbeatMs: o.config.heartbeatMs,
    staleMs: o.config.staleMs,
    active,
    computeMode,
    log: o.log,
  };
  for (let i = 0; i < o.config.concurrency; i++) {
    await boss.work<RunJob>(RUN_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
      for (const job of jobs) {
        try {
          await executeRun(runner, job.data.runId);
        } catch (e) {
          // Database trouble mid-run: the run keeps its stale heartbeat and is requeued later.
          o.log(`run ${job.data.runId}: worker error: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    });
  }
  let scanning = false;
  const scan = async (): Promise<void> => {
    if (scanning) return;
    scanning = true;
    try {
      for (const id of await lifecycle.requeueStale(o.ds, o.config.staleMs)) {
        o.log(`run ${id}: heartbeat older than ${o.config.staleMs / 1000} s, requeued`);
        await enqueueRun(boss, id);
      }
      for (const id of await unqueuedRuns(o.ds, o.config.staleMs)) {
        o.log(`run ${id}: QUEUED without a pending job, queued again`);
        await enqueueRun(boss, id);
      }
    } catch (e) {
      o.log(`stale-run scan failed: ${String(e)}`);
    } finally {
      scanning = false;
    }
  };
  // Scan several times per stale window so a takeover happens soon after the heartbeat goes stale.
  const timer = setInterval(() => void scan(), Math.max(500, Math.min(10_000, o.config.staleMs / 4)));
  void scan();
  o.log(
    `worker: ${o.config.concurrency} concurrent run(s) in ${computeMode === 'thread' ? 'worker threads' : 'child processes'}, heartbeat ${o.config.heartbeatMs / 1000} s, stale after ${o.config.staleMs / 1000} s`,
  );
  return {
    boss,
    async close() {
      clearInterval(timer);
      await boss.offWork(RUN_QUEUE).catch(() => undefined);
      for (const [runId, token] of [...active]) {
        try {
          if (await lifecycle.release(o.ds, runId, token)) {
            o.log(`run ${runId}: handed back to the queue (worker shutting down)`);
            await enqueueRun(boss, runId);
          }
        } catch (e) {
          o.log(`run ${runId}: could not hand it back (${String(e)}); it is requeued when its heartbeat goes stale`);
        }
      }
      await boss.stop({ graceful: false, wait: true, close: true }).catch(() => undefined);
    },
  };
}
