/**
 * PostgreSQL restarted during a run. The server (API + in-process worker) runs on its embedded
 * PostgreSQL; an IMP run is under way when the postmaster is stopped — a fast shutdown (SIGINT)
 * in the first test, an immediate one (SIGQUIT: no checkpoint, crash recovery from the WAL at
 * restart) in the second — kept down a few seconds, and started again on the same port and data
 * directory. Checked: the API answers again, the LISTEN connection is back (and run events reach
 * a WebSocket subscriber again), pg-boss and the TypeORM pool work (a new run is queued, picked up
 * and finished), the interrupted run completes without ever being FAILED, and every ticket and
 * evaluation stored before the restart is still there, exactly once, unchanged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { withDb } from '../helpers/seed';
import { startServer, type TestServer } from '../helpers/server';
import { pretrainTinyModel, subscribeRunEvents, taskIdOf, waitForRun, type EventLog } from '../helpers/runs';
import { postmaster, startPostmaster, stopPostmaster, type Postmaster } from './pg-control';

let server: TestServer;
let events: EventLog;
let modelId: string;
let taskId: string;
/** the postmaster this test started last (not the server's child: stopped by the test). */
let restarted: Postmaster | null = null;

const DOWN_MS = 4000;

beforeAll(async () => {
  // Its own embedded cluster: this test stops and restarts the server's postmaster.
  server = await startServer({
    embedded: true,
    env: { TICKETLAB_HEARTBEAT_S: '0.5', TICKETLAB_STALE_S: '3', NODE_OPTIONS: '--trace-uncaught' },
  });
  modelId = await pretrainTinyModel(server, 'tiny-pg');
  taskId = await taskIdOf(server, 'SNLI_VE');
  events = await subscribeRunEvents(server);
}, 120_000);

afterAll(async () => {
  await events?.close().catch(() => undefined);
  const home = server.home;
  const exitedEarly = server.proc.exitCode !== null;
  const code = await server?.stop();
  console.log(
    `pg-restart: server exited with ${code}${exitedEarly ? ` before the end of the test:\n${server.output().slice(-4000)}` : ''}`,
  );
  if (restarted) await stopPostmaster(restarted).catch((e) => console.log(String(e)));
  fs.rmSync(home, { recursive: true, force: true });
}, 90_000);

type Row = { id: string; level?: number; created_at: Date };

async function stored(runId: string): Promise<{ tickets: Row[]; evaluations: Row[] }> {
  return withDb(server.databaseUrl, async (db) => ({
    tickets: (
      await db.query('SELECT id, level, created_at, mask_sha256 FROM ticket WHERE run_id = $1 ORDER BY level', [runId])
    ).rows,
    evaluations: (
      await db.query('SELECT id, created_at, score FROM evaluation WHERE run_id = $1 ORDER BY created_at', [runId])
    ).rows,
  }));
}

/** ms until `probe` is true (polled every 50 ms), or throws after timeoutMs. */
async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await probe().catch(() => false)) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what} not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function restartDuringRun(signal: 'SIGINT' | 'SIGQUIT', seed: number): Promise<void> {
  const label = `pg-restart (${signal === 'SIGINT' ? 'fast shutdown' : 'immediate shutdown, crash recovery'})`;
  const r = await server.gql<{ startPruning: { id: string } }>(
    `mutation($i: PruningInput!) { startPruning(input: $i) { id } }`,
    { i: { modelId, taskId, sparsities: [0.2, 0.4, 0.6, 0.8], stepsPerLevel: 150, seed } },
  );
  const runId = r.data!.startPruning.id;
  await waitForRun(server, runId, ['RUNNING'], 60_000, (s) => s.step > 150 + 40);
  const before = await stored(runId);
  expect(before.tickets.length).toBeGreaterThanOrEqual(1);

  const pm = postmaster(server.home);
  const t0 = Date.now();
  await stopPostmaster(pm, signal);
  const stoppedAt = Date.now();
  console.log(
    `${label}: PostgreSQL (pid ${pm.pid}) stopped in ${stoppedAt - t0} ms with ${before.tickets.length} level(s) of run ${runId} stored`,
  );
  // While it is down the API answers with a coded error a client can retry on, and the process stays up.
  const down = await server.gql<{ health: string }>('{ health }');
  expect(down.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
  expect(down.errors?.[0].message).toMatch(/database is not reachable/);
  expect(JSON.stringify(down)).not.toMatch(/\n\s+at |ECONNREFUSED/);
  await new Promise((res) => setTimeout(res, Math.max(0, DOWN_MS - (Date.now() - stoppedAt))));
  expect(server.proc.exitCode).toBeNull();

  const pid = await startPostmaster(pm, path.join(server.home, 'pg', 'restarted.log'));
  restarted = { ...pm, pid };
  const up = Date.now();
  const apiMs = await until(
    async () => (await server.gql<{ health: string }>('{ health }')).data?.health === 'ok',
    30_000,
    'API answering',
  );
  const listenMs = await until(
    () =>
      withDb(
        server.databaseUrl,
        async (db) =>
          (
            await db.query(
              `SELECT 1 FROM pg_stat_activity WHERE application_name = 'ticketlab-events' AND query LIKE 'LISTEN%'`,
            )
          ).rowCount === 1,
      ),
    30_000,
    'LISTEN connection',
  );
  console.log(
    `${label}: down ${up - stoppedAt} ms; after PostgreSQL was back: API answered in ${apiMs} ms, LISTEN connection back in ${listenMs} ms`,
  );

  const done = await waitForRun(server, runId, ['SUCCEEDED'], 120_000);
  console.log(
    `${label}: interrupted run SUCCEEDED ${Date.now() - up} ms after the restart (attempts ${done.attempts})`,
  );
  const after = await stored(runId);
  expect(after.tickets.map((t) => t.level)).toEqual([0, 1, 2, 3, 4]);
  expect(after.evaluations).toHaveLength(5);
  for (const t of before.tickets) expect(after.tickets.find((x) => x.id === t.id)).toEqual(t);
  for (const e of before.evaluations) expect(after.evaluations.find((x) => x.id === e.id)).toEqual(e);
  console.log(
    `${label}: ${before.tickets.length} ticket(s) and ${before.evaluations.length} evaluation(s) stored before the restart all kept, unchanged; 5 + 5 after, none doubled`,
  );
  // A database outage is not the run's fault: it never ended FAILED on the way.
  expect(events.of(runId).filter((e) => e.status === 'FAILED')).toEqual([]);
  // LISTEN is back: this run's events published after the restart reached the WebSocket subscriber.
  expect(events.of(runId).some((e) => e.receivedAt > up && e.status === 'SUCCEEDED')).toBe(true);

  // pg-boss (API sender and worker) and the pool: a new run is queued, picked up and finished.
  const ev = await server.gql<{ evaluate: { id: string } }>(
    `mutation($i: EvaluateInput!) { evaluate(input: $i) { id } }`,
    { i: { modelId, taskId, steps: 3, seeds: [seed] } },
  );
  expect(ev.errors).toBeUndefined();
  const t1 = Date.now();
  await waitForRun(server, ev.data!.evaluate.id, ['SUCCEEDED'], 60_000);
  console.log(`${label}: a run started after the restart finished in ${Date.now() - t1} ms`);
}

test('fast shutdown (SIGINT) mid-run: API, LISTEN, queue and pool reconnect; the run completes; nothing stored is lost or doubled', async () => {
  await restartDuringRun('SIGINT', 5);
}, 300_000);

test('immediate shutdown (SIGQUIT, crash recovery at restart) mid-run: the same', async () => {
  await restartDuringRun('SIGQUIT', 6);
  const log = server
    .output()
    .split('\n')
    .filter((l) => /unavailable|could not mark|lost|requeued|resuming/i.test(l));
  console.log(`pg-restart: what the server logged about it (first 12 lines):\n${log.slice(0, 12).join('\n')}`);
  expect(server.output()).not.toMatch(/Thrown at:/);
}, 300_000);
