/**
 * The job queue: pg-boss 10 on the server's own PostgreSQL (schema `pgboss`). A job carries only
 * a run id; the run row is the truth about status and ownership, so a job delivered twice (a
 * retry, a requeue after a crash) is harmless: the second delivery finds the run claimed or
 * finished and does nothing.
 */
import PgBoss from 'pg-boss';

export const RUN_QUEUE = 'ticketlab-run';

export interface RunJob {
  runId: string;
}

export interface QueueOptions {
  databaseUrl: string;
  /** true in worker processes: pg-boss maintenance (expiry, archiving) runs there. */
  supervise: boolean;
  log?: (line: string) => void;
}

let completionsGuarded = false;

/**
 * pg-boss 10.4's work loop calls complete()/fail() on a job without awaiting them
 * (src/manager.js, onFetch): when the database is unreachable at that moment (a restart, a
 * failover) the rejection is unhandled and ends the process. A rejection handler is attached to
 * each of those promises (callers that await still see the error). The job then stays `active`;
 * the run row decides what happens next (a stale heartbeat requeues it, a QUEUED run without a
 * pending job gets one again), so nothing depends on the lost completion.
 */
function guardUnawaitedCompletions(log?: (line: string) => void): void {
  if (completionsGuarded) return;
  completionsGuarded = true;
  try {
    const Manager = require('pg-boss/src/manager') as {
      prototype: Record<string, (...a: unknown[]) => Promise<unknown>>;
    };
    for (const name of ['complete', 'fail']) {
      const original = Manager.prototype[name];
      if (typeof original !== 'function') continue;
      Manager.prototype[name] = function guarded(this: unknown, ...args: unknown[]) {
        const p = original.apply(this, args);
        p.catch((e: unknown) =>
          log?.(
            `queue: could not mark a job ${name === 'complete' ? 'completed' : 'failed'} (${e instanceof Error ? e.message : String(e)}); the run row decides its retry`,
          ),
        );
        return p;
      };
    }
  } catch {
    // Another pg-boss layout: nothing to guard (a later version may await these calls itself).
  }
}

/** Started pg-boss with the run queue created (idempotent: create_queue is ON CONFLICT DO NOTHING). */
export async function openQueue(o: QueueOptions): Promise<PgBoss> {
  guardUnawaitedCompletions(o.log);
  const boss = new PgBoss({
    connectionString: o.databaseUrl,
    application_name: 'ticketlab-queue',
    max: 3,
    supervise: o.supervise,
    schedule: false,
    migrate: true,
  });
  boss.on('error', (err) => o.log?.(`queue error: ${err.message}`));
  await boss.start();
  await boss.createQueue(RUN_QUEUE, {
    name: RUN_QUEUE,
    // Retries and crash recovery are decided from the run row (see src/lifecycle), not by pg-boss.
    retryLimit: 0,
    // A run may train for hours; pg-boss refuses 24 h or more.
    expireInSeconds: 23 * 3600,
  });
  return boss;
}

/**
 * QUEUED runs that no pending job will deliver (the process that stored one died before sending
 * its job, or a job was lost): older than `minAgeMs` and without a created/retry job in pg-boss.
 */
export async function unqueuedRuns(
  db: { query(sql: string, p?: unknown[]): Promise<unknown> },
  minAgeMs: number,
): Promise<string[]> {
  const rows = (await db.query(
    `SELECT r.id FROM run r
      WHERE r.status = 'QUEUED' AND r.kind <> 'TRANSFER'
        AND GREATEST(r.updated_at, COALESCE(r.heartbeat_at, r.updated_at)) < now() - $2 * interval '1 millisecond'
        AND NOT EXISTS (SELECT 1 FROM pgboss.job j
                         WHERE j.name = $1 AND j.state IN ('created', 'retry') AND j.data->>'runId' = r.id::text)`,
    [RUN_QUEUE, minAgeMs],
  )) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

export async function enqueueRun(boss: PgBoss, runId: string): Promise<void> {
  await boss.send(RUN_QUEUE, { runId } satisfies RunJob, { retryLimit: 0, expireInSeconds: 23 * 3600 });
}

/**
 * A lazily opened sender for API processes (mutations enqueue; they never work jobs). Opening
 * pg-boss also installs its schema, so the first mutation on a fresh database takes a moment.
 */
export class QueueSender {
  private boss: Promise<PgBoss> | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly log?: (l: string) => void,
  ) {}

  private get(): Promise<PgBoss> {
    if (!this.boss) {
      this.boss = openQueue({ databaseUrl: this.databaseUrl, supervise: false, log: this.log });
      this.boss.catch(() => (this.boss = null));
    }
    return this.boss;
  }

  async enqueue(runId: string): Promise<void> {
    await enqueueRun(await this.get(), runId);
  }

  /** Whether the run queue answers through pg-boss (opens it when needed). */
  async ready(): Promise<boolean> {
    const boss = await this.get();
    return (await boss.getQueue(RUN_QUEUE)) !== null;
  }

  async close(): Promise<void> {
    const b = this.boss;
    this.boss = null;
    if (b) await (await b).stop({ graceful: false, wait: true }).catch(() => undefined);
  }
}
