/**
 * Request limits against the real server (auth off: the default on loopback; limits apply in
 * every mode). Each limit answers a GraphQL-shaped error with its code — never a 500, HTML or a
 * stack trace — and the server keeps serving. Also: the token CLI with no server running starts
 * the embedded PostgreSQL itself.
 */
import * as fs from 'fs';
import { publishRunEvent } from '../../src/lifecycle/run-events';
import { insertRun, withDb } from '../helpers/seed';
import { startServer, tempHome, type TestServer } from '../helpers/server';
import { cli, codes, post, type HttpResult } from './helpers';
import { RawWs, untilSubscribed, wsCodes } from './ws-client';

let server: TestServer;
let home: string;
const sockets: RawWs[] = [];

beforeAll(async () => {
  home = tempHome();
  // No server on this home yet: the CLI starts (and stops) the embedded PostgreSQL itself.
  const created = await cli(['token', 'create', '--name', 'made-offline', '--scope', 'admin'], {
    TICKETLAB_HOME: home,
    DATABASE_URL: '',
  });
  expect(created.status).toBe(0);
  expect(created.stdout.trim()).toMatch(/^tl_/);
  // The embedded cluster the CLI just made on this home, with the token in it.
  server = await startServer({
    home,
    embedded: true,
    env: { TICKETLAB_WORKER: '0', TICKETLAB_MAX_SUBSCRIPTIONS: '3', TICKETLAB_MAX_WS_MESSAGE_BYTES: '4096' },
  });
});

afterAll(async () => {
  for (const s of sockets) await s.close();
  await server?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

async function ws(): Promise<RawWs> {
  const c = await RawWs.open(server.wsUrl);
  sockets.push(c);
  return c;
}

function expectClean(r: HttpResult, status: number, code: string): void {
  expect({ status: r.status, codes: codes(r) }).toEqual({ status, codes: [code] });
  expect(r.contentType).toMatch(/^application\/(graphql-response\+)?json/);
  expect(r.text).not.toMatch(/<html|stacktrace|at [\w.<>]+ \(/i);
}

async function stillServing(): Promise<void> {
  expect((await post(server.graphqlUrl, '{ health }')).body).toEqual({ data: { health: 'ok' } });
}

const nested = (parents: number) =>
  `query($id: ID!) { ticket(id: $id) { ${'parent { '.repeat(parents)}id${' }'.repeat(parents)} } }`;
const TICKET = { id: '00000000-0000-4000-8000-000000000000' };

test('start-up log names the mode and the limits; auth off on loopback; the offline-made token is listed', async () => {
  expect(server.output()).toContain('auth: off (HOST 127.0.0.1 is loopback; TICKETLAB_AUTH=required turns tokens on)');
  expect(server.output()).toContain(
    'limits: depth 12, cost 20000, body 1048576 B, WebSocket message 4096 B, 3 operations per WebSocket',
  );
  await stillServing();
  const list = await cli(['token', 'list'], { TICKETLAB_HOME: home, DATABASE_URL: '' });
  expect(list.status).toBe(0);
  expect(list.stdout).toMatch(/made-offline\s+admin\s/);
});

test('depth: 12 levels pass, 13 are QUERY_TOO_DEEP (400)', async () => {
  const ok = await post(server.graphqlUrl, nested(10), { variables: TICKET }); // ticket + 10 parents + id = 12
  expect(codes(ok)).toEqual(['NOT_FOUND']); // it ran: there is no such ticket
  const deep = await post(server.graphqlUrl, nested(11), { variables: TICKET });
  expectClean(deep, 400, 'QUERY_TOO_DEEP');
  expect(deep.body.errors![0].message).toBe('the operation nests fields 13 deep; this server allows at most 12');
  await stillServing();
});

test('cost: `first` multiplies what is below it; over 20000 is QUERY_TOO_COSTLY (400); `first` > 100 is BAD_USER_INPUT', async () => {
  const q =
    'query($n: Int) { tickets(first: $n) { edges { node { evaluations { ticket { evaluations { id score } } } } } } }';
  // 2 + n·(node, evaluations) + 10n tickets + 10n evaluations + 100n·(id, score): n = 10 → 2 222, n = 100 → 22 202
  expect((await post(server.graphqlUrl, q, { variables: { n: 10 } })).body).toEqual({
    data: { tickets: { edges: [] } },
  });
  const costly = await post(server.graphqlUrl, q, { variables: { n: 100 } });
  expectClean(costly, 400, 'QUERY_TOO_COSTLY');
  expect(costly.body.errors![0].message).toMatch(/^the operation would resolve 22251 fields .* at most 20000/);
  const page = await post(server.graphqlUrl, '{ runs(first: 101) { totalCount } }');
  expect(codes(page)).toEqual(['BAD_USER_INPUT']);
  expect(page.body.errors![0].message).toContain('between 0 and 100');
  await stillServing();
});

test('HTTP body: over 1 MiB is 413 PAYLOAD_TOO_LARGE, unreadable JSON 400 BAD_REQUEST, both as JSON', async () => {
  const big = JSON.stringify({ query: '{ health }', variables: { pad: 'x'.repeat(1_100_000) } });
  expectClean(await post(server.graphqlUrl, '', { rawBody: big }), 413, 'PAYLOAD_TOO_LARGE');
  const almost = JSON.stringify({ query: '{ health }', variables: { pad: 'x'.repeat(1_000_000) } });
  expect((await post(server.graphqlUrl, '', { rawBody: almost })).body).toEqual({ data: { health: 'ok' } });
  expectClean(await post(server.graphqlUrl, '', { rawBody: '{"query": "{ health }"' }), 400, 'BAD_REQUEST');
  await stillServing();
});

test('WebSocket: the 4th open operation of a connection is TOO_MANY_SUBSCRIPTIONS; completing one frees a place', async () => {
  const runId = await withDb(server.databaseUrl, (db) => insertRun(db, 'PRUNE', null, 'QUEUED'));
  const sub = 'subscription($id: ID) { runEvents(runId: $id) { step } }';
  const c = await ws();
  for (const id of ['a', 'b', 'c', 'd']) c.subscribe(id, sub, { id: runId });
  const refused = await c.result('d');
  expect(refused?.type).toBe('error');
  expect(wsCodes(refused)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
  // No wait: the server handles one connection's frames in order, and `complete` frees the place
  // as it arrives, before the next subscribe is counted.
  c.complete('a');
  c.subscribe('e', sub, { id: runId });
  const other = await ws(); // the cap is per connection
  for (const id of ['x', 'y', 'z']) other.subscribe(id, sub, { id: runId });
  await untilSubscribed(server.databaseUrl, runId, [
    [c, 'b'],
    [c, 'c'],
    [c, 'e'],
    [other, 'x'],
    [other, 'y'],
    [other, 'z'],
  ]);
  await publishRunEvent(server.databaseUrl, { runId, step: 3 });
  for (const [conn, id] of [
    [c, 'b'],
    [c, 'c'],
    [c, 'e'],
    [other, 'x'],
    [other, 'y'],
    [other, 'z'],
  ] as const) {
    expect((await conn.result(id))?.payload).toEqual({ data: { runEvents: { step: 3 } } });
  }
  expect(c.messages.some((m) => m.id === 'a' && m.type === 'next')).toBe(false);
});

test('WebSocket: a message over the limit is PAYLOAD_TOO_LARGE on its operation, a frame over 4× closes the socket (1009)', async () => {
  const c = await ws();
  c.subscribe('big', `{ health } # ${'x'.repeat(5000)}`);
  const big = await c.result('big');
  expect(big?.type).toBe('error');
  expect(wsCodes(big)).toEqual(['PAYLOAD_TOO_LARGE']);
  c.subscribe('small', '{ health }');
  expect((await c.result('small'))?.payload).toEqual({ data: { health: 'ok' } });
  c.subscribe('huge', `{ health } # ${'x'.repeat(20_000)}`);
  expect((await c.closed).code).toBe(1009);
  const again = await ws();
  again.subscribe('q', nested(11), TICKET);
  expect(wsCodes(await again.result('q'))).toEqual(['QUERY_TOO_DEEP']); // the same limits as HTTP
  again.subscribe('ok', '{ health }');
  expect((await again.result('ok'))?.payload).toEqual({ data: { health: 'ok' } });
  await stillServing();
});

test('no limit logged an internal error', () => {
  expect(server.output()).not.toMatch(/internal error|request guard failed|Internal server error/i);
  expect(server.output()).toContain('WebSocket frame over 16384 bytes: connection closed (1009)');
});
