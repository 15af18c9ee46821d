/**
 * GraphQL row of `npm run bench` (TICKETLAB_BENCH_GRAPHQL=0 skips it): `tickets(first: 100)`
 * with their evaluations, against the real server (its own embedded PostgreSQL, 10k tickets
 * with two evaluations each) and against a bare Apollo Server answering the same query shape
 * from static data (graphql-reference.ts), both as child processes, loaded by autocannon
 * (20 connections, loopback) in alternating rounds. Two rows: time per request (1 / throughput;
 * goal: ours ≥ 0.6x the reference's throughput, i.e. ratio ≤ 1.67) and p99 latency (goal ≤ 2x).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { builtinTaskId, insertModel, withDb } from '../test/helpers/seed';
import { freePort, startServer } from '../test/helpers/server';
import type { BenchRow } from './row';

const QUERY = `query Bench { tickets(first: 100) { totalCount edges { cursor node {
  id method sparsity level seed maskBits maskSha256 createdAt
  evaluations { id weightInit trainingMode seed steps score createdAt } } }
  pageInfo { hasNextPage endCursor } } }`;

interface CannonResult {
  requests: { average: number };
  latency: { p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (o: Record<string, unknown>) => Promise<CannonResult>;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function seed(databaseUrl: string, tickets: number): Promise<void> {
  await withDb(databaseUrl, async (db) => {
    const modelId = await insertModel(db, 'graphql-bench-model', 4096);
    const taskId = await builtinTaskId(db, 'VQA');
    await db.query(
      `INSERT INTO ticket (id, model_id, task_id, method, sparsity, level, seed, mask, mask_bits, mask_sha256, layer_sparsity, created_at)
       SELECT gen_random_uuid(), $1, $2, 'IMP', (i % 10) / 10.0, i % 10, 1, decode(repeat('ff', 512), 'hex'), 4096,
              encode(sha256(decode(repeat('ff', 512), 'hex')), 'hex'), '[]', now() - i * interval '1 second'
       FROM generate_series(1, $3::int) AS i`,
      [modelId, taskId, tickets],
    );
    await db.query(
      `INSERT INTO evaluation (id, model_id, ticket_id, task_id, weight_init, training_mode, seed, steps, metrics, score, created_at)
       SELECT gen_random_uuid(), t.model_id, t.id, t.task_id, w, 'STANDARD', 1, 300, '{"vqa_score": 0.5}', 0.5, t.created_at
       FROM ticket t CROSS JOIN (VALUES ('PRETRAINED'), ('RANDOM')) AS inits(w) WHERE t.model_id = $1`,
      [modelId],
    );
  });
}

/** One request, checked: 100 tickets, two evaluations each, no errors. */
async function check(url: string): Promise<void> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY }),
  });
  const body = (await r.json()) as {
    data?: { tickets: { edges: Array<{ node: { evaluations: unknown[] } }> } };
    errors?: unknown[];
  };
  const edges = body.data?.tickets.edges ?? [];
  if (body.errors || edges.length !== 100 || edges.some((e) => e.node.evaluations.length !== 2)) {
    throw new Error(`${url} answered unexpectedly: ${JSON.stringify(body).slice(0, 300)}`);
  }
}

async function startReference(): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [path.join(__dirname, 'graphql-reference.js'), String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 30_000;
  while (!/listening /.test(out)) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`reference server did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}/`, proc };
}

export async function benchGraphql(rounds = 2, seconds = 10, tickets = 10_000): Promise<BenchRow[]> {
  if (process.env.TICKETLAB_BENCH_GRAPHQL === '0') return [];
  let autocannon: Autocannon;
  try {
    autocannon = require('autocannon') as Autocannon;
  } catch {
    return [
      {
        row: 'graphql tickets(first:100) per request',
        oursMs: NaN,
        referenceMs: null,
        note: 'skipped: autocannon not installed (npm ci installs it)',
      },
    ];
  }
  const ours = await startServer();
  let ref: { url: string; proc: ChildProcess } | null = null;
  try {
    await seed(ours.databaseUrl, tickets);
    ref = await startReference();
    await check(ours.graphqlUrl);
    await check(ref.url);
    const load0 = os.loadavg()[0].toFixed(1);
    const run = (url: string) =>
      autocannon({
        url,
        connections: 20,
        duration: seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY }),
      });
    await run(ours.graphqlUrl); // warm-up (JIT, connection pool, PostgreSQL caches); not counted
    await run(ref.url);
    const o: CannonResult[] = [];
    const r: CannonResult[] = [];
    for (let i = 0; i < rounds; i++) {
      o.push(await run(ours.graphqlUrl));
      r.push(await run(ref.url));
    }
    const bad = [...o, ...r].reduce((n, x) => n + x.non2xx + x.errors + x.timeouts, 0);
    const rps = (xs: CannonResult[]) => median(xs.map((x) => x.requests.average));
    const p99 = (xs: CannonResult[]) => median(xs.map((x) => x.latency.p99));
    const common =
      `${tickets} tickets x 2 evaluations, 20 connections, ${rounds} alternating rounds of ${seconds} s; ` +
      `${bad} failed requests; load ${load0}->${os.loadavg()[0].toFixed(1)}`;
    return [
      {
        row: 'graphql tickets(first:100) per request (1/throughput)',
        oursMs: 1000 / rps(o),
        referenceMs: 1000 / rps(r),
        note: `ours ${rps(o).toFixed(0)} req/s, bare Apollo ${rps(r).toFixed(0)} req/s (goal ratio <= 1.67); ${common}`,
      },
      {
        row: 'graphql tickets(first:100) p99 latency',
        oursMs: p99(o),
        referenceMs: p99(r),
        note: `goal ratio <= 2; ${common}`,
      },
    ];
  } finally {
    ref?.proc.kill('SIGTERM');
    await ours.stop();
  }
}
