/**
 * PostgreSQL restarted during a run. The server (API + in-process worker) runs on its embedded
 * PostgreSQL; an IMP run is under way when the postmaster is shut down (SIGINT, fast shutdown),
 * kept down a few seconds, and started again on the same port and data directory. Checked: the
 * API answers again, the LISTEN connection is back (run events arrive again over WebSocket),
 * pg-boss and the TypeORM pool work (a new run is queued, picked up and finished), the interrupted
 * run completes, and every ticket and evaluation stored before the restart is still there,
 * exactly once, unchanged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { withDb } from '../helpers/seed';
import { startServer, type TestServer } from '../helpers/server';
import { pretrainTinyModel, subscribeRunEvents, taskIdOf, waitForRun, type EventLog } from '../helpers/runs';
import { postmaster, startPostmaster, stopPostmaster, type Postmaster } from './pg-control';

let server: TestServer;
let events: EventLog | null = null;
let restartedPid: number | null = null;
let pm: Postmaster;

const DOWN_MS = 4000;

beforeAll(async () => {
  server = await startServer({ env: { TICKETLAB_HEARTBEAT_S: '0.5', TICKETLAB_STALE_S: '3', NODE_OPTIONS: '--trace-uncaught --stack-trace-limit=30' } });
}, 90_000);

afterAll(async () => {
  await events?.close().catch(() => undefined);
  // The restarted postmaster is not the server's child: stop the server first, then it.
  const home = server.home;
  const exitedEarly = server.proc.exitCode !== null;
  const code = await server?.stop();
  console.log(`pg-restart: server exited with ${code}${exitedEarly ? ` before the end of the test:\n${server.output().slice(-4000)}` : ''}`);
  if (restartedPid !== null) await stopPostmaster({ ...pm, pid: restartedPid }).catch((e) => console.log(String(e)));
  fs.rmSync(home, { recursive: true, force: true });
}, 90_000);

type Row = { id: string; level?: number; created_at: Date };

async function stored(runId: string): Promise<{ tickets: Row[]; evaluations: Row[] }> {
  return withDb(server.databaseUrl, async (db) => ({
    tickets: (await db.query('SELECT id, level, created_at, mask_sha256 FROM ticket WHERE run_id = $1 ORDER BY level', [runId])).rows,
    evaluations: (await db.query('SELECT id, created_at, score FROM evaluation WHERE run_id = $1 ORDER BY created_at', [runId])).rows,
  }));
}

test('a PostgreSQL restart mid-run: API, LISTEN, queue and pool reconnect; the run completes; nothing stored is lost or doubled', async () => {
  const modelId = await pretrainTinyModel(server, 'tiny-pg');
  const taskId = await taskIdOf(server, 'SNLI_VE');
  events = await subscribeRunEvents(server);
  const sparsities = [0.2, 0.4, 0.6, 0.8];
  const r = await server.gql<{ startPruning: { id: string } }>(
    `mutation($i: PruningInput!) { startPruning(input: $i) { id } }`,
    { i: { modelId, taskId, sparsities, stepsPerLevel: 150, seed: 5 } },
  );
  const runId = r.data!.startPruning.id;
  await waitForRun(server, runId, ['RUNNING'], 60_000, (s) => s.step > 150 + 40);
  const before = await stored(runId);
  expect(before.tickets.length).toBeGreaterThanOrEqual(1);

  pm = postmaster(server.home);
  const t0 = Date.now();
  await stopPostmaster(pm);
  const stoppedAt = Date.now();
  console.log(`pg-restart: PostgreSQL (pid ${pm.pid}) stopped in ${stoppedAt - t0} ms with ${before.tickets.length} level(s) stored`);
  // While it is down the API answers with an error, and does not crash.
  const down = await server.gql<{ health: string }>('{ health }');
  expect(down.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  expect(JSON.stringify(down)).not.toMatch(/\n\s+at |ECONNREFUSED .*node_modules/);
  await new Promise((res) => setTimeout(res, DOWN_MS - (Date.now() - stoppedAt)));
  expect(server.proc.exitCode).toBeNull();

  restartedPid = await startPostmaster(pm, path.join(server.home, 'pg', 'restarted.log'));
  const up = Date.now();
  let apiBack = 0;
  for (;;) {
    const h = await server.gql<{ health: string }>('{ health }').catch(() => null);
    if (h?.data?.health === 'ok') {
      apiBack = Date.now() - up;
      break;
    }
    if (Date.now() - up > 30_000) throw new Error('API did not answer within 30 s of the restart');
    await new Promise((res) => setTimeout(res, 100));
  }
  console.log(`pg-restart: down ${up - stoppedAt} ms; API answered { health } ${apiBack} ms after PostgreSQL was back`);

  // The interrupted run completes (resumed from its stored levels, or carried on).
  const done = await waitForRun(server, runId, ['SUCCEEDED'], 120_000);
  console.log(`pg-restart: interrupted run SUCCEEDED ${Date.now() - up} ms after the restart (attempts ${done.attempts})`);
  const after = await stored(runId);
  expect(after.tickets.map((t) => t.level)).toEqual([0, 1, 2, 3, 4]);
  expect(after.evaluations).toHaveLength(5);
  for (const t of before.tickets) expect(after.tickets.find((x) => x.id === t.id)).toEqual(t);
  for (const e of before.evaluations) expect(after.evaluations.find((x) => x.id === e.id)).toEqual(e);

  // LISTEN is back: events of this run published after the restart reached the WebSocket subscriber.
  const late = events.of(runId).filter((e) => e.receivedAt > up);
  // A database outage is not the run's fault: it never ended FAILED on the way.
  expect(events.of(runId).filter((e) => e.status === 'FAILED')).toEqual([]);
  expect(late.some((e) => e.status === 'SUCCEEDED')).toBe(true);
  // pg-boss and the pool: a new run is queued, picked up and finished.
  const ev = await server.gql<{ evaluate: { id: string } }>(`mutation($i: EvaluateInput!) { evaluate(input: $i) { id } }`, { i: { modelId, taskId, steps: 3, seeds: [9] } });
  expect(ev.errors).toBeUndefined();
  const t1 = Date.now();
  await waitForRun(server, ev.data!.evaluate.id, ['SUCCEEDED'], 60_000);
  console.log(`pg-restart: a run started after the restart finished in ${Date.now() - t1} ms`);
  console.log(`pg-restart: server log after the restart:\n${server.output().split('\n').filter((l) => /lost|reconnect|error|failed|requeued|resuming|unavailable|could not/i.test(l)).slice(0, 20).join('\n')}`);
}, 300_000);
