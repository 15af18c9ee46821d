/**
 * The run lifecycle against real PostgreSQL: every transition of src/lifecycle/run-lifecycle.ts
 * is exercised, and each must emit exactly its events — one per row it changed, none when it
 * changed nothing — each describing the row as stored. Ownership (tokens, stale takeover) and
 * parent settling are checked on the same rows.
 */
import { Client } from 'pg';
import { EVENTS_CHANNEL } from '../../src/events/bus';
import * as lifecycle from '../../src/lifecycle/run-lifecycle';
import type { RunEventData } from '../helpers/runs';
import { insertRun } from '../helpers/seed';
import { startServer, type TestServer } from '../helpers/server';

type Ev = RunEventData;

let server: TestServer;
let listener: Client;
let db: Client;
/** the lifecycle's Queryable over a pg Client (which returns a Result, not rows) */
let q: { query(sql: string, params?: unknown[]): Promise<unknown> };
const received: Ev[] = [];
let sentinels = 0;
const tested = new Set<string>();

beforeAll(async () => {
  // No worker: nothing but this test changes the rows.
  server = await startServer({ env: { TICKETLAB_WORKER: '0' } });
  listener = new Client({ connectionString: server.databaseUrl });
  db = new Client({ connectionString: server.databaseUrl });
  await Promise.all([listener.connect(), db.connect()]);
  q = { query: async (sql, params) => (await db.query(sql, params as unknown[])).rows };
  listener.on('notification', (n) => {
    const env = JSON.parse(n.payload!) as { topic: string; payload: Ev };
    if (env.topic === 'SENTINEL') sentinels++;
    else if (env.topic === 'RUN_EVENTS') received.push(env.payload);
  });
  await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
}, 120_000);

afterAll(async () => {
  await listener?.end();
  await db?.end();
  await server?.stop();
});

/**
 * Runs `fn` and returns the events it caused: a sentinel notified afterwards on the same
 * connection arrives after them (notifications are delivered in commit order), so nothing that
 * `fn` emitted can still be on its way.
 */
async function eventsOf(name: string, fn: () => Promise<unknown>): Promise<Ev[]> {
  tested.add(name);
  const start = received.length;
  const want = sentinels + 1;
  await fn();
  await db.query(`SELECT pg_notify($1, '{"topic":"SENTINEL"}')`, [EVENTS_CHANNEL]);
  const deadline = Date.now() + 10_000;
  while (sentinels < want) {
    if (Date.now() > deadline) throw new Error('sentinel notification never arrived');
    await new Promise((r) => setTimeout(r, 10));
  }
  return received.slice(start);
}

async function row(id: string) {
  const r = await db.query(`SELECT status, step, total_steps, progress, phase, claim_token FROM run WHERE id = $1`, [
    id,
  ]);
  return r.rows[0] as {
    status: string;
    step: number;
    total_steps: number | null;
    progress: number;
    phase: string | null;
    claim_token: string | null;
  };
}

/** The event describes the row exactly as stored now. */
async function expectDescribesRow(e: Ev): Promise<void> {
  const r = await row(e.runId);
  expect({ status: e.status, step: e.step, totalSteps: e.totalSteps, progress: e.progress, phase: e.phase }).toEqual({
    status: r.status,
    step: r.step,
    totalSteps: r.total_steps,
    progress: r.progress,
    phase: r.phase,
  });
  expect(Number.isNaN(Date.parse(e.at))).toBe(false);
}

test('queued and queueFailed', async () => {
  const id = await insertRun(db, 'PRUNE', null, 'QUEUED');
  const ev = await eventsOf('queued', () => lifecycle.queued(q, [id]));
  expect(ev.map((e) => [e.runId, e.status])).toEqual([[id, 'QUEUED']]);
  await expectDescribesRow(ev[0]);

  const failed = await eventsOf('queueFailed', () => lifecycle.queueFailed(q, id, 'could not be queued: boom'));
  expect(failed.map((e) => [e.status, e.message])).toEqual([['FAILED', 'could not be queued: boom']]);
  await expectDescribesRow(failed[0]);
  // Not QUEUED any more: nothing changes, nothing is said.
  expect(
    await eventsOf('queueFailed', async () => expect(await lifecycle.queueFailed(q, id, 'again')).toBe(false)),
  ).toEqual([]);
});

test('claim, heartbeat, progress, phase, finish, and what a stranger token may not do', async () => {
  const id = await insertRun(db, 'PRUNE', null, 'QUEUED');
  let claimed: lifecycle.ClaimedRun | null = null;
  const ev = await eventsOf('claim', async () => (claimed = await lifecycle.claim(q, id, 30_000)));
  const run = claimed as unknown as lifecycle.ClaimedRun;
  expect(run).toMatchObject({ id, kind: 'PRUNE', attempts: 1 });
  expect(ev.map((e) => [e.status, e.message])).toEqual([['RUNNING', null]]);
  await expectDescribesRow(ev[0]);
  // A live claim cannot be taken.
  expect(await eventsOf('claim', async () => expect(await lifecycle.claim(q, id, 30_000)).toBeNull())).toEqual([]);

  expect(
    await eventsOf('heartbeat', async () => expect(await lifecycle.heartbeat(q, id, run.token)).toBe(true)),
  ).toEqual([]);
  expect(
    await eventsOf('heartbeat', async () =>
      expect(await lifecycle.heartbeat(q, id, '00000000-0000-0000-0000-000000000000')).toBe(false),
    ),
  ).toEqual([]);

  const prov = { backend: 'cpu', device: 'cpu', kernels: 'plain', worker: 'test:1', version: null, commit: null };
  expect(
    await eventsOf('recordProvenance', async () =>
      expect(await lifecycle.recordProvenance(q, id, run.token, prov)).toBe(true),
    ),
  ).toEqual([]);
  expect(await lifecycle.recordProvenance(q, id, '00000000-0000-0000-0000-000000000000', {})).toBe(false);
  expect(
    ((await db.query(`SELECT provenance FROM run WHERE id = $1`, [id])) as { rows: Array<{ provenance: unknown }> })
      .rows[0].provenance,
  ).toEqual(prov);

  const at = Date.now() - 5000;
  const pe = await eventsOf('progress', () =>
    lifecycle.progress(q, id, run.token, { step: 40, totalSteps: 80, progress: 0.5, metrics: { loss: 0.7 }, at }),
  );
  expect(pe).toHaveLength(1);
  expect(pe[0]).toMatchObject({ step: 40, totalSteps: 80, progress: 0.5, metrics: { loss: 0.7 } });
  expect(Date.parse(pe[0].at)).toBe(at);
  await expectDescribesRow(pe[0]);
  expect(
    await eventsOf('progress', () =>
      lifecycle.progress(q, id, '00000000-0000-0000-0000-000000000000', { step: 1, totalSteps: 1, progress: 1 }),
    ),
  ).toEqual([]);
  expect((await row(id)).step).toBe(40);

  const ph = await eventsOf('phase', () => lifecycle.phase(q, id, run.token, 'level 1/3: fine-tune at sparsity 0.2'));
  expect(ph.map((e) => e.phase)).toEqual(['level 1/3: fine-tune at sparsity 0.2']);
  await expectDescribesRow(ph[0]);

  const fin = await eventsOf('finish', async () =>
    expect(await lifecycle.finish(q, id, run.token, 'SUCCEEDED', null)).toBe(true),
  );
  expect(fin.map((e) => [e.status, e.step, e.totalSteps, e.progress, e.phase])).toEqual([
    ['SUCCEEDED', 80, 80, 1, null],
  ]);
  await expectDescribesRow(fin[0]);
  expect((await row(id)).claim_token).toBeNull();
  // Finished: the old token can do nothing more.
  expect(
    await eventsOf('finish', async () =>
      expect(await lifecycle.finish(q, id, run.token, 'FAILED', 'late')).toBe(false),
    ),
  ).toEqual([]);
  expect(await lifecycle.stillOwned(q, id, run.token)).toBe(false);
});

test('a FAILED finish keeps the phase and carries the error; a long error is cut in the event only', async () => {
  const id = await insertRun(db, 'EVALUATE', null, 'QUEUED');
  let run!: lifecycle.ClaimedRun;
  await eventsOf('claim', async () => (run = (await lifecycle.claim(q, id, 30_000))!));
  const error = 'x'.repeat(20_000);
  const ev = await eventsOf('finish', async () =>
    expect(await lifecycle.finish(q, id, run.token, 'FAILED', error)).toBe(true),
  );
  expect(ev).toHaveLength(1);
  expect(ev[0].status).toBe('FAILED');
  expect(ev[0].message!.length).toBeLessThan(error.length);
  const stored = await db.query(`SELECT error, phase FROM run WHERE id = $1`, [id]);
  expect(stored.rows[0].error).toBe(error);
  expect(stored.rows[0].phase).toBe('fine-tune');
});

test('stale takeover: requeueStale, then a second claim says its attempt', async () => {
  const id = await insertRun(db, 'PRUNE', null, 'QUEUED');
  let first!: lifecycle.ClaimedRun;
  await eventsOf('claim', async () => (first = (await lifecycle.claim(q, id, 30_000))!));
  await db.query(`UPDATE run SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [id]);
  const ev = await eventsOf('requeueStale', async () => expect(await lifecycle.requeueStale(q, 60_000)).toContain(id));
  const mine = ev.filter((e) => e.runId === id);
  expect(mine.map((e) => [e.status, e.message])).toEqual([
    ['QUEUED', 'requeued: its worker stopped sending heartbeats'],
  ]);
  await expectDescribesRow(mine[0]);
  expect(await lifecycle.heartbeat(q, id, first.token)).toBe(false);
  const again = await eventsOf('claim', () => lifecycle.claim(q, id, 30_000));
  expect(again.map((e) => [e.status, e.message])).toEqual([['RUNNING', 'attempt 2']]);
});

test('a RUNNING run whose heartbeat is stale can be claimed directly (exactly one of two racers wins)', async () => {
  const id = await insertRun(db, 'PRUNE', null, 'QUEUED');
  await eventsOf('claim', () => lifecycle.claim(q, id, 30_000));
  await db.query(`UPDATE run SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [id]);
  const other = new Client({ connectionString: server.databaseUrl });
  await other.connect();
  try {
    const q2 = { query: async (sql: string, params?: unknown[]) => (await other.query(sql, params)).rows };
    const ev = await eventsOf('claim', async () => {
      const wins = await Promise.all([lifecycle.claim(q, id, 60_000), lifecycle.claim(q2, id, 60_000)]);
      expect(wins.filter((w) => w !== null)).toHaveLength(1);
    });
    expect(ev.map((e) => [e.status, e.message])).toEqual([['RUNNING', 'attempt 2']]);
  } finally {
    await other.end();
  }
});

test('release hands a held run back; cancel ends a run and its children', async () => {
  const id = await insertRun(db, 'PRUNE', null, 'QUEUED');
  let run!: lifecycle.ClaimedRun;
  await eventsOf('claim', async () => (run = (await lifecycle.claim(q, id, 30_000))!));
  const rel = await eventsOf('release', async () => expect(await lifecycle.release(q, id, run.token)).toBe(true));
  expect(rel.map((e) => [e.status, e.message])).toEqual([['QUEUED', 'requeued: its worker shut down']]);
  await expectDescribesRow(rel[0]);

  const parent = await insertRun(db, 'TRANSFER', null, 'RUNNING');
  const kids = [
    await insertRun(db, 'EVALUATE', parent, 'QUEUED'),
    await insertRun(db, 'EVALUATE', parent, 'RUNNING'),
    await insertRun(db, 'EVALUATE', parent, 'SUCCEEDED'),
  ];
  const ev = await eventsOf('cancel', async () =>
    expect((await lifecycle.cancel(q, parent)).sort()).toEqual([parent, kids[0], kids[1]].sort()),
  );
  expect(ev.map((e) => e.runId).sort()).toEqual([parent, kids[0], kids[1]].sort());
  for (const e of ev) {
    expect([e.status, e.message]).toEqual(['CANCELLED', 'cancelled on request']);
    await expectDescribesRow(e);
  }
  expect(await eventsOf('cancel', async () => expect(await lifecycle.cancel(q, parent)).toEqual([]))).toEqual([]);
});

test('retry: a TRANSFER parent runs again with its ended children queued; a child retried reopens its parent', async () => {
  const parent = await insertRun(db, 'TRANSFER', null, 'FAILED');
  const failed = await insertRun(db, 'EVALUATE', parent, 'FAILED');
  const ok = await insertRun(db, 'EVALUATE', parent, 'SUCCEEDED');
  const ev = await eventsOf('retry', () => lifecycle.retry(q, parent, 'TRANSFER', null));
  expect(ev.map((e) => [e.runId, e.status]).sort()).toEqual(
    [
      [failed, 'QUEUED'],
      [parent, 'RUNNING'],
    ].sort(),
  );
  for (const e of ev) await expectDescribesRow(e);
  expect((await row(ok)).status).toBe('SUCCEEDED');

  await db.query(`UPDATE run SET status = 'FAILED' WHERE id IN ($1, $2)`, [parent, failed]);
  const child = await eventsOf('retry', () => lifecycle.retry(q, failed, 'EVALUATE', parent));
  expect(child.map((e) => [e.runId, e.status])).toEqual([
    [failed, 'QUEUED'],
    [parent, 'RUNNING'],
  ]);
  for (const e of child) await expectDescribesRow(e);
  expect(
    await eventsOf('retry', async () => expect(await lifecycle.retry(q, ok, 'EVALUATE', parent)).toEqual([])),
  ).toEqual([]);
});

test('settleParent: progress while children are open, then the final status from theirs', async () => {
  const parent = await insertRun(db, 'TRANSFER', null, 'RUNNING');
  const a = await insertRun(db, 'EVALUATE', parent, 'SUCCEEDED');
  const b = await insertRun(db, 'EVALUATE', parent, 'RUNNING');
  const open = await eventsOf('settleParent', () => lifecycle.settleParent(q, parent));
  expect(open.map((e) => [e.runId, e.status, e.step, e.totalSteps, e.progress])).toEqual([
    [parent, 'RUNNING', 1, 2, 0.5],
  ]);
  await expectDescribesRow(open[0]);

  await db.query(`UPDATE run SET status = 'FAILED' WHERE id = $1`, [b]);
  const done = await eventsOf('settleParent', () => lifecycle.settleParent(q, parent));
  expect(done.map((e) => [e.status, e.progress, e.message])).toEqual([['FAILED', 1, '1 of 2 child runs failed']]);
  await expectDescribesRow(done[0]);
  // Settled: settling again changes and says nothing; no parent, nothing at all.
  expect(await eventsOf('settleParent', () => lifecycle.settleParent(q, parent))).toEqual([]);
  expect(await eventsOf('settleParent', () => lifecycle.settleParent(q, null))).toEqual([]);
  expect((await row(a)).status).toBe('SUCCEEDED');

  const p2 = await insertRun(db, 'TRANSFER', null, 'RUNNING');
  await insertRun(db, 'EVALUATE', p2, 'SUCCEEDED');
  await insertRun(db, 'EVALUATE', p2, 'CANCELLED');
  const cancelled = await eventsOf('settleParent', () => lifecycle.settleParent(q, p2));
  expect(cancelled.map((e) => e.status)).toEqual(['CANCELLED']);
});

test('every transition of the lifecycle was exercised above', () => {
  expect([...tested].sort()).toEqual([...lifecycle.TRANSITIONS].sort());
});

test('no code outside src/lifecycle changes a run row or publishes a run event', () => {
  const fs = require('fs') as typeof import('fs');
  const path = require('path') as typeof import('path');
  const src = path.resolve(__dirname, '..', '..', '..', 'src');
  const offenders: string[] = [];
  (function walk(dir: string) {
    for (const name of fs.readdirSync(dir)) {
      const p = path.join(dir, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.includes(`${path.sep}lifecycle${path.sep}`)) {
        const text = fs.readFileSync(p, 'utf8');
        if (/UPDATE\s+run\b/i.test(text) || /publishRunEvent\(/.test(text)) offenders.push(path.relative(src, p));
      }
    }
  })(src);
  expect(offenders).toEqual([]);
});
