/**
 * Hostile requests with a read token against TICKETLAB_AUTH=required, over HTTP and WebSocket:
 * documents and values shaped to overflow a recursive walk, alias amplification of database
 * fields, cursors and strings PostgreSQL cannot store, subscriptions over HTTP, malformed paths.
 * Each class is tried at several sizes drawn from a seeded generator. Every answer is a 4xx or a
 * coded GraphQL error; no internal error is logged; `{ health }` answers within 1 s after every
 * case; the socket stays usable; no stored row changes.
 */
import * as net from 'net';
import { Rng } from '../../src/core/rng';
import { withDb } from '../helpers/seed';
import { startServer, type TestServer } from '../helpers/server';
import { codes, createToken, post, type HttpResult } from '../auth/helpers';
import { RawWs, wsCodes } from '../auth/ws-client';
import { collectedMemory, type Memory } from '../helpers/inspect';

let server: TestServer;
let token: string;
let ws: RawWs;
let rowsBefore: string;
let worstHealthMs = 0;
let memStart: Memory;
const HEAVY = 'runs(first: 20) { totalCount edges { node { id status params tickets { id } } } }';

const seen = { cases: 0, coded: 0 };

const rowCounts = () =>
  withDb(server.databaseUrl, async (db) => {
    const r = await db.query(
      `SELECT (SELECT count(*) FROM run) AS runs, (SELECT count(*) FROM ticket) AS tickets, (SELECT count(*) FROM model) AS models, (SELECT count(*) FROM task) AS tasks`,
    );
    return JSON.stringify(r.rows[0]);
  });

beforeAll(async () => {
  server = await startServer({
    env: { TICKETLAB_AUTH: 'required', TICKETLAB_WORKER: '0' },
    nodeArgs: ['--inspect=127.0.0.1:0'],
  });
  token = await createToken({ TICKETLAB_HOME: server.home, DATABASE_URL: server.databaseUrl }, 'attacker', 'read');
  ws = await RawWs.open(server.wsUrl, { authorization: `Bearer ${token}` });
  rowsBefore = await rowCounts();
  // Memory is compared after a warm-up: code compiled, pools and caches filled once.
  for (let i = 0; i < 3; i++) await post(server.graphqlUrl, aliases(20, HEAVY), { token });
  memStart = await collectedMemory(server);
}, 120_000);

afterAll(async () => {
  await ws?.close();
  await server?.stop();
});

async function healthWithin1s(): Promise<void> {
  const t0 = Date.now();
  const r = await post(server.graphqlUrl, '{ health }', { token });
  const ms = Date.now() - t0;
  worstHealthMs = Math.max(worstHealthMs, ms);
  expect(r.body).toEqual({ data: { health: 'ok' } });
  expect(ms).toBeLessThan(1000);
}

/** An HTTP answer: 4xx with one of `want`'s codes, JSON, no stack. */
async function refusedHttp(r: HttpResult, want: string[]): Promise<void> {
  seen.cases++;
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  expect(codes(r).length).toBeGreaterThan(0);
  for (const c of codes(r)) expect(want).toContain(c);
  expect(r.text).not.toMatch(/RangeError|stack size|at [\w.<>]+ \(/);
  seen.coded++;
  await healthWithin1s();
}

let opId = 0;
/** Sends raw JSON text as a subscribe message; the answer must be an error with one of `want`'s codes. */
async function refusedWs(payloadJson: string, want: string[]): Promise<void> {
  seen.cases++;
  const id = `op${++opId}`;
  ws.socket.send(`{"type":"subscribe","id":"${id}","payload":${payloadJson}}`);
  const m = await ws.result(id, 20_000);
  expect(ws.isClosed).toBeNull();
  expect(m?.type).toBe('error');
  const got = wsCodes(m);
  expect(got.length).toBeGreaterThan(0);
  for (const c of got) expect(want).toContain(c);
  seen.coded++;
  // The same socket still serves.
  const ok = `ok${opId}`;
  ws.subscribe(ok, '{ health }');
  expect((await ws.result(ok))?.payload).toEqual({ data: { health: 'ok' } });
  await healthWithin1s();
}

const q = (query: string) => JSON.stringify({ query });
const chain = (n: number) =>
  `query { ...F0 } ${Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ${i === n - 1 ? 'health' : `...F${i + 1}`} }`).join(' ')}`;
const braces = (n: number) => `{ ${'health { '.repeat(n)}${' }'.repeat(n)} }`;
const inlineFragments = (n: number) => `{ ${'... on Query { '.repeat(n)}health${' }'.repeat(n)} }`;
const aliases = (n: number, field = 'runs(first: 0) { totalCount }') =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const nestedJson = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
const DEPTH = ['QUERY_TOO_DEEP', 'QUERY_TOO_COSTLY', 'GRAPHQL_PARSE_FAILED'];
const COST = ['QUERY_TOO_COSTLY', 'GRAPHQL_PARSE_FAILED'];
const INPUT = ['BAD_USER_INPUT', 'BAD_REQUEST'];

/** Sizes of a family: its bounds and a few drawn between them (seeded, so reruns try the same). */
function sizes(rng: Rng, lo: number, hi: number, extra: number[] = []): number[] {
  const drawn = Array.from({ length: 3 }, () => Math.round(lo * Math.pow(hi / lo, rng.next())));
  return [...new Set([lo, ...extra, ...drawn, hi])].sort((a, b) => a - b);
}
const rng = new Rng(18);

describe('documents that would overflow a recursive walk', () => {
  for (const n of sizes(rng, 100, 10_000, [3600])) {
    test(`a chain of ${n} fragments (HTTP and WebSocket)`, async () => {
      await refusedHttp(await post(server.graphqlUrl, chain(n), { token }), DEPTH);
      await refusedWs(q(chain(n)), DEPTH);
    });
  }
  for (const n of sizes(rng, 100, 10_000, [3000])) {
    test(`${n} nested inline fragments and ${n} nested braces`, async () => {
      await refusedHttp(await post(server.graphqlUrl, inlineFragments(n), { token }), DEPTH);
      await refusedHttp(await post(server.graphqlUrl, braces(n), { token }), [...DEPTH, 'GRAPHQL_VALIDATION_FAILED']);
      await refusedWs(q(inlineFragments(n)), DEPTH);
      await refusedWs(q(braces(n)), [...DEPTH, 'GRAPHQL_VALIDATION_FAILED']);
    });
  }
  test('a short chain within the limits still runs', async () => {
    const r = await post(server.graphqlUrl, chain(10), { token });
    expect(r.body).toEqual({ data: { health: 'ok' } });
  });
});

describe('values nested deeper than a recursive step can go', () => {
  for (const n of sizes(rng, 100, 50_000, [10_000])) {
    test(`variables and extensions nested ${n} deep`, async () => {
      const body = `{"query":"query($id: ID!) { run(id: $id) { id } }","variables":{"id":${nestedJson(n)}}}`;
      await refusedHttp(await post(server.graphqlUrl, '', { token, rawBody: body }), INPUT);
      await refusedWs(`{"query":"query($id: ID!) { run(id: $id) { id } }","variables":{"id":${nestedJson(n)}}}`, INPUT);
      await refusedWs(`{"query":"{ health }","extensions":{"x":${nestedJson(n)}}}`, INPUT);
    });
  }
});

describe('alias amplification of database fields', () => {
  for (const n of sizes(rng, 21, 20_000, [9999])) {
    test(`${n} aliases of runs(first: 0) and of health`, async () => {
      await refusedHttp(await post(server.graphqlUrl, aliases(n), { token }), COST);
      await refusedHttp(await post(server.graphqlUrl, aliases(n, 'health'), { token }), COST);
      await refusedWs(q(aliases(n)), COST);
    });
  }
  test('20 root fields (the limit) still run; the 21st alias is refused with the count', async () => {
    const r = await post(server.graphqlUrl, aliases(20), { token });
    expect(r.body.errors).toBeUndefined();
    expect(Object.keys(r.body.data ?? {})).toHaveLength(20);
    const over = await post(server.graphqlUrl, aliases(21), { token });
    expect(over.body.errors?.[0].message).toMatch(/21 root fields.*at most 20/);
  });
});

describe('values PostgreSQL cannot store', () => {
  const cursor = (at: string) =>
    Buffer.from(JSON.stringify([at, '00000000-0000-4000-8000-000000000000'])).toString('base64url');
  for (const at of [
    '-271821-04-20T00:00:00.000Z',
    '+275760-09-13T00:00:00.000Z',
    '0000-01-01T00:00:00.000Z',
    '+010000-01-01T00:00:00.000Z',
  ]) {
    test(`a cursor at ${at} on runs, tickets and evaluations`, async () => {
      for (const field of ['runs', 'tickets', 'evaluations']) {
        const r = await post(server.graphqlUrl, `query($a: String) { ${field}(after: $a) { totalCount } }`, {
          token,
          variables: { a: cursor(at) },
        });
        expect(r.status).toBe(200);
        expect(codes(r)).toEqual(['BAD_USER_INPUT']);
        seen.cases++;
        seen.coded++;
      }
      await healthWithin1s();
    });
  }
  test('NUL bytes in literals and variables, over HTTP and WebSocket', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    await refusedHttp(
      await post(server.graphqlUrl, `{ run(id: "${id}") { metrics(names: ["lo\\u0000ss"]) { name } } }`, { token }),
      INPUT,
    );
    await refusedHttp(
      await post(
        server.graphqlUrl,
        'query($n: [String!]) { runs(first: 1) { edges { node { metrics(names: $n) { name } } } } }',
        { token, variables: { n: ['lo\u0000ss'] } },
      ),
      INPUT,
    );
    await refusedHttp(
      await post(server.graphqlUrl, 'mutation($i: PretrainInput!) { pretrainModel(input: $i) { id } }', {
        token,
        variables: { i: { name: 'x\u0000y' } },
      }),
      INPUT,
    );
    await refusedWs(JSON.stringify({ query: 'query($n: [String!]) { health }', variables: { n: ['a\u0000'] } }), INPUT);
  });
  test('an export whose query parameter holds a NUL is refused before its 200', async () => {
    const r = await fetch(`${server.baseUrl}/export/runs/00000000-0000-4000-8000-000000000000/metrics.csv?name=%00`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toBe('BAD_USER_INPUT');
  });
});

describe('requests in the wrong place or shape', () => {
  test('a subscription over HTTP is refused before any resolver runs', async () => {
    await refusedHttp(await post(server.graphqlUrl, 'subscription { runEvents { runId } }', { token }), [
      'BAD_REQUEST',
    ]);
  });
  test('runEvents with a runId that cannot be a run is refused, not left silent', async () => {
    seen.cases++;
    ws.subscribe('bad-run-id', 'subscription { runEvents(runId: "not-a-uuid") { runId } }');
    expect(wsCodes(await ws.result('bad-run-id'))).toEqual(['BAD_USER_INPUT']);
    seen.coded++;
    await healthWithin1s();
  });
  test('a malformed percent-encoding in a path answers JSON; no X-Powered-By', async () => {
    const r = await fetch(`${server.baseUrl}/export/runs/%E0%A4%A/metrics.csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/json/);
    expect(((await r.json()) as { error: string }).error).toBe('BAD_REQUEST');
    expect(r.headers.get('x-powered-by')).toBeNull();
    expect(
      (
        await fetch(server.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: '{"query":"{ health }"}',
        })
      ).headers.get('x-powered-by'),
    ).toBeNull();
  });
  test('a client that declares a body it never sends is cut off within 20 s', async () => {
    const port = Number(new URL(server.baseUrl).port);
    const t0 = Date.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.write(
          `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 10485760\r\n\r\n{"query":`,
        );
      });
      s.on('data', () => undefined);
      s.on('close', () => resolve(Date.now() - t0));
      s.on('error', reject);
      setTimeout(() => reject(new Error('still open after 25 s')), 25_000);
    });
    expect(closedAfter).toBeLessThan(20_000);
    await healthWithin1s();
  }, 30_000);
});

describe('one caller cannot starve the others', () => {
  test('40 at a time of the costliest accepted read: every { health } probe within 1 s, each request answered or 429', async () => {
    const heavy = aliases(20, HEAVY);
    const answers: number[] = [];
    let stop = false;
    const probe = (async () => {
      while (!stop) {
        await healthWithin1s();
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const worker = async () => {
      for (let i = 0; i < 10; i++) {
        const r = await post(server.graphqlUrl, heavy, { token });
        answers.push(r.status);
        if (r.status !== 200) expect(codes(r)).toEqual(['TOO_MANY_REQUESTS']);
        else expect(r.body.errors).toBeUndefined();
      }
    };
    await Promise.all(Array.from({ length: 40 }, worker));
    stop = true;
    await probe;
    expect(answers).toHaveLength(400);
    expect(answers.every((s) => s === 200 || s === 429)).toBe(true);
    console.log(
      `concurrency: 400 requests at 40 in flight: ${answers.filter((s) => s === 200).length} answered, ${answers.filter((s) => s === 429).length} refused 429; worst { health } ${worstHealthMs} ms`,
    );
  }, 120_000);
});

test('nothing stored changed, nothing was logged as an internal error, memory came back; the figures', async () => {
  expect(await rowCounts()).toBe(rowsBefore);
  // The heap after a full collection back within 20% of its start: nothing the attacks left is kept.
  const end = await collectedMemory(server);
  console.log(
    `memory after a full GC: heap ${memStart.heapUsedMb.toFixed(1)} MB after warm-up, ${end.heapUsedMb.toFixed(1)} MB after the attacks (resident ${memStart.rssMb.toFixed(0)} → ${end.rssMb.toFixed(0)} MB)`,
  );
  expect(end.heapUsedMb).toBeLessThanOrEqual(memStart.heapUsedMb * 1.2);
  expect(server.output()).not.toMatch(/RangeError|Maximum call stack|Internal server error|failed before it ran/);
  expect(seen.coded).toBe(seen.cases);
  console.log(
    `hostile requests: ${seen.cases} cases, ${seen.coded} refused with a code, 0 internal errors; worst { health } ${worstHealthMs} ms`,
  );
});
