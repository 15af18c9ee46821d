/**
 * Crash resume: an API-only server and `ticketlab worker` child processes on its database. A
 * worker is SIGKILLed in the middle of an IMP run; a new worker takes the run over once its
 * heartbeat is stale, resumes at the first unfinished level, and completes it with exactly one
 * ticket and one evaluation per level.
 */
import { execSync } from 'child_process';
import * as path from 'path';
import { withDb } from '../helpers/seed';
import { startServer, type TestServer } from '../helpers/server';
import {
  TINY_MODEL_CONFIG,
  maskBits,
  pretrainTinyModel,
  startWorkerProcess,
  subscribeRunEvents,
  taskIdOf,
  waitForRun,
  type EventLog,
  type WorkerProcess,
} from '../helpers/runs';

// Computations in child processes (as on a GPU worker): a killed worker must not leave one behind.
const WORKER_ENV = { TICKETLAB_HEARTBEAT_S: '0.5', TICKETLAB_STALE_S: '3', TICKETLAB_COMPUTE: 'process' };
const COMPUTE_ENTRY = path.resolve(__dirname, '..', '..', 'src', 'jobs', 'compute', 'thread.js');

/** Parent pids of the live compute processes of this build. */
function computeParents(): number[] {
  return execSync('ps -eo ppid=,args=', { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(COMPUTE_ENTRY))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

let server: TestServer;
let events: EventLog;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  // Process crashes are tested on the deployment they happen in: the server's own embedded cluster.
  server = await startServer({ embedded: true, env: { TICKETLAB_WORKER: '0' } });
  events = await subscribeRunEvents(server);
}, 90_000);

afterAll(async () => {
  await events?.close();
  for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
  await server?.stop();
});

test('the API alone queues runs; a worker process runs them, also one whose job was lost', async () => {
  expect(server.output()).toContain('job worker disabled');
  const r = await server.gql<{ pretrainModel: { id: string } }>(
    `mutation($c: ModelConfigInput) { pretrainModel(input: { name: "lost-job", config: $c, steps: 3, corpusSize: 50 }) { id } }`,
    { c: TINY_MODEL_CONFIG },
  );
  const lost = r.data!.pretrainModel.id;
  // As if the API had died between storing the run and sending its job.
  const deleted = await withDb(
    server.databaseUrl,
    async (db) => (await db.query(`DELETE FROM pgboss.job WHERE data->>'runId' = $1`, [lost])).rowCount,
  );
  expect(deleted).toBe(1);
  workers.push(await startWorkerProcess(server, WORKER_ENV));
  const modelId = await pretrainTinyModel(server, 'tiny-crash');
  expect(modelId).toBeTruthy();
  await waitForRun(server, lost, ['SUCCEEDED'], 30_000);
  expect(workers[0].output()).toContain(`run ${lost}: QUEUED without a pending job, queued again`);
}, 90_000);

test('SIGKILL of a worker mid-run: another worker resumes at the first unfinished level, no duplicates', async () => {
  const a = workers[0];
  const models = await server.gql<{ models: Array<{ id: string; name: string }> }>('{ models { id name } }');
  const modelId = models.data!.models.find((m) => m.name === 'tiny-crash')!.id;
  const taskId = await taskIdOf(server, 'SNLI_VE');
  const sparsities = [0.2, 0.4, 0.6, 0.8];
  const r = await server.gql<{ startPruning: { id: string } }>(
    `mutation($i: PruningInput!) { startPruning(input: $i) { id } }`,
    { i: { modelId, taskId, sparsities, stepsPerLevel: 120, rewindStep: 20, seed: 3 } },
  );
  const runId = r.data!.startPruning.id;
  const t0 = Date.now();
  const levels = () =>
    withDb(server.databaseUrl, async (db) =>
      (await db.query('SELECT level FROM ticket WHERE run_id = $1 ORDER BY level', [runId])).rows.map(
        (x) => x.level as number,
      ),
    );
  // Kill once two levels are stored and the third is under way.
  await waitForRun(server, runId, ['RUNNING'], 60_000, (s) => s.step > 2 * 120 + 20);
  expect(computeParents()).toEqual([a.proc.pid]);
  a.proc.kill('SIGKILL');
  await a.exited;
  const killedAt = Date.now();
  console.log(`crash: killed after ${killedAt - t0} ms`);
  const stored = await levels();
  expect(stored.length).toBeGreaterThanOrEqual(2);
  expect(stored).toEqual(stored.map((_, i) => i));
  expect((await waitForRun(server, runId, ['RUNNING'])).attempts).toBe(1); // nobody has noticed yet

  const b = await startWorkerProcess(server, WORKER_ENV);
  workers.push(b);
  const resumed = await waitForRun(server, runId, ['RUNNING', 'SUCCEEDED'], 60_000, (s) => s.attempts === 2);
  const takeoverMs = Date.now() - killedAt;
  console.log(
    `crash: run taken over ${takeoverMs} ms after SIGKILL (heartbeat 0.5 s, stale after 3 s, includes starting the new worker)`,
  );
  expect(takeoverMs).toBeLessThanOrEqual(60_000);
  expect(resumed.attempts).toBe(2);
  // The killed worker's computation stopped by itself; only the new worker's runs.
  expect(computeParents().every((ppid) => ppid === b.proc.pid)).toBe(true);
  await waitForRun(server, runId, ['SUCCEEDED'], 90_000);
  console.log(`crash: succeeded ${Date.now() - killedAt} ms after the kill`);
  expect(b.output()).toContain(`run ${runId}: resuming IMP at level ${stored.length} of 4`);

  // Events after the takeover start at the resumed level: stored levels were not recomputed.
  const after = events.of(runId).filter((e) => Date.parse(e.at) > killedAt && e.phase?.startsWith('level '));
  const firstLevel = Number(/^level (\d+)/.exec(after[0].phase!)![1]);
  expect(firstLevel).toBe(stored.length);

  const rows = await withDb(server.databaseUrl, async (db) => ({
    tickets: (
      await db.query(
        'SELECT level, sparsity, mask, mask_bits, created_at, search_steps, search_seconds FROM ticket WHERE run_id = $1 ORDER BY level',
        [runId],
      )
    ).rows as Array<{
      level: number;
      sparsity: number;
      mask: Buffer;
      mask_bits: string;
      created_at: Date;
      search_steps: number;
      search_seconds: number;
    }>,
    evaluations: (await db.query('SELECT seed, ticket_id FROM evaluation WHERE run_id = $1', [runId])).rows,
  }));
  expect(rows.tickets.map((t) => t.level)).toEqual([0, 1, 2, 3, 4]);
  expect(rows.evaluations).toHaveLength(5);
  // Compute accounting adds up across the takeover: level k cost k fine-tunes, and its seconds
  // grow with every level (the resumed worker carried the stored levels' seconds on).
  expect(rows.tickets.map((t) => t.search_steps)).toEqual([0, 120, 240, 360, 480]);
  for (let k = 1; k < rows.tickets.length; k++)
    expect(rows.tickets[k].search_seconds).toBeGreaterThan(rows.tickets[k - 1].search_seconds);
  // Stored before the kill, kept as they were.
  rows.tickets.slice(0, stored.length).forEach((t) => expect(t.created_at.getTime()).toBeLessThan(killedAt));
  const masks = rows.tickets.map((t) => maskBits(t.mask, Number(t.mask_bits)));
  const N = masks[0].length;
  masks.forEach((m, k) =>
    expect(N - m.reduce((x, y) => x + y, 0)).toBe(k === 0 ? 0 : Math.round(sparsities[k - 1] * N)),
  );
  for (let k = 1; k < masks.length; k++) expect(masks[k].every((bit, i) => !bit || masks[k - 1][i] === 1)).toBe(true);

  // The same request run without interruption (force) gives the same masks and scores: the resumed
  // levels started from the stored mask and rewind point exactly as an uninterrupted run does.
  const again = await server.gql<{ startPruning: { id: string } }>(
    `mutation($i: PruningInput!) { startPruning(input: $i) { id } }`,
    { i: { modelId, taskId, sparsities, stepsPerLevel: 120, rewindStep: 20, seed: 3, force: true } },
  );
  const whole = again.data!.startPruning.id;
  expect(whole).not.toBe(runId);
  await waitForRun(server, whole, ['SUCCEEDED'], 90_000);
  const outcome = (id: string) =>
    withDb(
      server.databaseUrl,
      async (db) =>
        (
          await db.query(
            `SELECT t.level, t.mask_sha256, e.score FROM ticket t JOIN evaluation e ON e.run_id = t.run_id AND e.seed = 3
        AND (e.ticket_id = t.id OR (t.level = 0 AND e.ticket_id IS NULL))
      WHERE t.run_id = $1 ORDER BY t.level`,
            [id],
          )
        ).rows,
    );
  const resumedOutcome = await outcome(runId);
  expect(resumedOutcome).toHaveLength(5);
  expect(await outcome(whole)).toEqual(resumedOutcome);
}, 180_000);
