/**
 * Tokens and scopes against the real server (TICKETLAB_AUTH=required, its own cloned database):
 * the token CLI, which scope may run which operation over HTTP and WebSocket, every Mutation
 * field of the live schema, every export route, and revocation taking effect at once.
 */
import { publishRunEvent } from '../../src/lifecycle/run-events';
import { covers, MUTATION_SCOPES, SCOPES, type Scope } from '../../src/auth/scopes';
import { insertRun, withDb } from '../helpers/seed';
import { startServer, type TestServer } from '../helpers/server';
import { cli, codes, createToken, get, post } from './helpers';
import { RawWs, untilSubscribed, wsCodes } from './ws-client';

let server: TestServer;
let env: Record<string, string>;
const token: Partial<Record<Scope, string>> = {};
const sockets: RawWs[] = [];

beforeAll(async () => {
  // No in-process worker: QUEUED rows inserted here must stay as they are unless a mutation changes them.
  server = await startServer({
    env: { TICKETLAB_AUTH: 'required', TICKETLAB_WORKER: '0', TICKETLAB_AUTH_RECHECK_S: '2' },
  });
  env = { TICKETLAB_HOME: server.home, DATABASE_URL: '' };
  const created = await Promise.all(SCOPES.map((s) => createToken(env, `${s}-token`, s)));
  SCOPES.forEach((s, i) => (token[s] = created[i]));
});

afterAll(async () => {
  for (const s of sockets) await s.close();
  await server?.stop();
});

async function ws(params?: Record<string, unknown>): Promise<RawWs> {
  const c = await RawWs.open(server.wsUrl, params);
  sockets.push(c);
  return c;
}

test('start-up log names the mode; the CLI prints a token once and lists and revokes by name', async () => {
  expect(server.output()).toContain('auth: tokens required (TICKETLAB_AUTH=required)');
  for (const s of SCOPES) expect(token[s]).toMatch(/^tl_[A-Za-z0-9_-]{43}$/);

  const list = await cli(['token', 'list'], env);
  expect(list.status).toBe(0);
  for (const s of SCOPES) {
    expect(list.stdout).toMatch(new RegExp(`${s}-token\\s+${s}\\s`));
    expect(list.stdout).not.toContain(token[s]!); // never shown again
  }
  const dup = await cli(['token', 'create', '--name', 'read-token', '--scope', 'read'], env);
  expect(dup.status).toBe(1);
  expect(dup.stderr).toContain('CONFLICT');
  const badScope = await cli(['token', 'create', '--name', 'x', '--scope', 'root'], env);
  expect(badScope.status).toBe(64);
  const unknown = await cli(['token', 'revoke', 'no-such-token'], env);
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toContain('NOT_FOUND');
  // The table stores the SHA-256 only.
  const stored = await withDb(server.databaseUrl, (db) => db.query('SELECT token_sha256 FROM api_token'));
  expect(JSON.stringify(stored.rows)).not.toContain(token.read!.slice(3));
});

test('HTTP: no, malformed, unknown tokens are 401 UNAUTHENTICATED; every scope may query', async () => {
  for (const opts of [
    {},
    { authorization: 'Basic dXNlcjpwdw==' },
    { token: 'tl_not-a-real-token' },
    { token: 'garbage' },
  ]) {
    const r = await post(server.graphqlUrl, '{ health }', opts);
    expect(r.status).toBe(401);
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    expect(r.text).not.toMatch(/stack|at .*\.js/);
  }
  for (const s of SCOPES) {
    const r = await post(
      server.graphqlUrl,
      'query($n: Int) { health runs(first: $n) { totalCount } __schema { queryType { name } } }',
      { token: token[s], variables: { n: 1 } },
    );
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      data: { health: 'ok', runs: { totalCount: expect.any(Number) }, __schema: { queryType: { name: 'Query' } } },
    });
  }
  const viaGet = await get(`${server.graphqlUrl}?query=${encodeURIComponent('{ health }')}`, token.read);
  expect(viaGet.body).toEqual({ data: { health: 'ok' } });
});

interface IntrospectedType {
  kind: string;
  name: string | null;
  ofType: IntrospectedType | null;
}

const typeString = (t: IntrospectedType): string =>
  t.kind === 'NON_NULL' ? `${typeString(t.ofType!)}!` : t.kind === 'LIST' ? `[${typeString(t.ofType!)}]` : t.name!;
const namedKind = (t: IntrospectedType): string => (t.ofType ? namedKind(t.ofType) : t.kind);

test('every Mutation field of the live schema: refused (403 FORBIDDEN) below its scope, let through at or above it', async () => {
  const TYPE = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';
  const intro = await post(
    server.graphqlUrl,
    `{ __schema { mutationType { fields { name args { name type { ${TYPE} } } type { ${TYPE} } } } } }`,
    { token: token.admin },
  );
  const fields = (
    intro.body.data as {
      __schema: {
        mutationType: {
          fields: Array<{
            name: string;
            args: Array<{ name: string; type: IntrospectedType }>;
            type: IntrospectedType;
          }>;
        };
      };
    }
  ).__schema.mutationType.fields;
  expect(fields.map((f) => f.name)).toEqual(
    expect.arrayContaining(['pretrainModel', 'startPruning', 'evaluate', 'runTransfer', 'cancelRun', 'retryRun']),
  );
  let checked = 0;
  for (const f of fields) {
    const required = f.args.filter((a) => a.type.kind === 'NON_NULL');
    const vars = required.map((a) => `$${a.name}: ${typeString(a.type)}`).join(', ');
    const args = required.map((a) => `${a.name}: $${a.name}`).join(', ');
    const selection = ['OBJECT', 'INTERFACE', 'UNION'].includes(namedKind(f.type)) ? '{ __typename }' : '';
    // Sent without variable values: refused by scope before anything, else stopped by variable coercion.
    const doc = `mutation${vars ? `(${vars})` : ''} { ${f.name}${args ? `(${args})` : ''} ${selection} }`;
    const need: Scope = MUTATION_SCOPES[f.name] ?? 'admin';
    for (const s of SCOPES) {
      if (covers(s, need) && required.length === 0) continue; // it would really run
      const r = await post(server.graphqlUrl, doc, { token: token[s] });
      if (covers(s, need)) {
        expect({ field: f.name, scope: s, codes: codes(r) }).toEqual({
          field: f.name,
          scope: s,
          codes: ['BAD_USER_INPUT'],
        });
      } else {
        expect({ field: f.name, scope: s, status: r.status, codes: codes(r) }).toEqual({
          field: f.name,
          scope: s,
          status: 403,
          codes: ['FORBIDDEN'],
        });
        expect(r.body.errors![0].message).toContain(`needs a token of scope ${need}`);
      }
      checked++;
    }
  }
  expect(checked).toBeGreaterThanOrEqual(fields.length * 2);
});

test('a refused mutation does nothing; the same mutation with a run token does its work', async () => {
  const runId = await withDb(server.databaseUrl, (db) => insertRun(db, 'PRUNE', null, 'QUEUED'));
  const cancel = 'mutation($id: ID!) { cancelRun(id: $id) { id status } }';
  const refused = await post(server.graphqlUrl, cancel, { token: token.read, variables: { id: runId } });
  expect(codes(refused)).toEqual(['FORBIDDEN']);
  // Hidden in a fragment, and next to a query field: still refused.
  const hidden = await post(
    server.graphqlUrl,
    `mutation($id: ID!) { ...M } fragment M on Mutation { cancelRun(id: $id) { id } }`,
    { token: token.read, variables: { id: runId } },
  );
  expect(codes(hidden)).toEqual(['FORBIDDEN']);
  const status = () =>
    withDb(
      server.databaseUrl,
      async (db) => (await db.query('SELECT status FROM run WHERE id = $1', [runId])).rows[0].status as string,
    );
  expect(await status()).toBe('QUEUED');

  const unknown = await post(server.graphqlUrl, cancel, {
    token: token.run,
    variables: { id: '00000000-0000-4000-8000-000000000000' },
  });
  expect(codes(unknown)).toEqual(['NOT_FOUND']);
  const done = await post(server.graphqlUrl, cancel, { token: token.run, variables: { id: runId } });
  expect(done.body.data).toEqual({ cancelRun: { id: runId, status: 'CANCELLED' } });
  expect(await status()).toBe('CANCELLED');
});

test('exports: 401 without a valid token, served to every scope', async () => {
  const runId = await withDb(server.databaseUrl, (db) => insertRun(db, 'PRUNE', null, 'SUCCEEDED'));
  const unknownTicket = '00000000-0000-4000-8000-000000000001';
  const routes = [
    { path: '/export/evaluations.csv', ok: 200 },
    { path: `/export/runs/${runId}/metrics.csv`, ok: 200 },
    { path: `/export/tickets/${unknownTicket}/mask.safetensors`, ok: 404 }, // past the guard: the ticket does not exist
    { path: `/export/models/${unknownTicket}/weights.safetensors`, ok: 404 },
  ];
  for (const route of routes) {
    for (const bad of [undefined, 'tl_unknown']) {
      const r = await get(server.baseUrl + route.path, bad);
      expect({ path: route.path, status: r.status, error: r.body.error }).toEqual({
        path: route.path,
        status: 401,
        error: 'UNAUTHENTICATED',
      });
    }
    for (const s of SCOPES) {
      const r = await get(server.baseUrl + route.path, token[s]);
      expect({ path: route.path, scope: s, status: r.status }).toEqual({
        path: route.path,
        scope: s,
        status: route.ok,
      });
    }
  }
});

test('WebSocket: connection_init without a valid token is closed 4403; read tokens query and subscribe, not mutate', async () => {
  for (const params of [
    undefined,
    {},
    { authorization: 'Bearer tl_unknown' },
    { token: 'tl_unknown' },
    { authorization: 'Basic x' },
  ]) {
    const c = await ws(params);
    const closed = await c.closed;
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(
      params && Object.keys(params).length
        ? /^UNAUTHENTICATED: (invalid or revoked token|the Authorization header must be)/
        : /^UNAUTHENTICATED: no token: send \{"authorization": "Bearer <token>"\} in connection_init$/,
    );
  }
  const viaToken = await ws({ token: token.read });
  const viaHeader = await ws({ authorization: `Bearer ${token.read}` });
  for (const [i, c] of [viaToken, viaHeader].entries()) {
    c.subscribe(`q${i}`, '{ health }');
    expect((await c.result(`q${i}`))?.payload).toEqual({ data: { health: 'ok' } });
  }
  viaToken.subscribe('m', 'mutation { cancelRun(id: "00000000-0000-4000-8000-000000000000") { id } }');
  const m = await viaToken.result('m');
  expect(m?.type).toBe('error');
  expect(wsCodes(m)).toEqual(['FORBIDDEN']);
  const runId = await withDb(server.databaseUrl, (db) => insertRun(db, 'PRUNE', null, 'QUEUED'));
  viaToken.subscribe('s', 'subscription($id: ID) { runEvents(runId: $id) { runId step } }', { id: runId });
  await untilSubscribed(server.databaseUrl, runId, [[viaToken, 's']]);
  await publishRunEvent(server.databaseUrl, { runId, step: 7 });
  expect((await viaToken.result('s'))?.payload).toEqual({ data: { runEvents: { runId, step: 7 } } });
  // run scope over WebSocket: past the guard, the resolver's NOT_FOUND.
  const runner = await ws({ token: token.run });
  runner.subscribe('m', 'mutation { cancelRun(id: "00000000-0000-4000-8000-000000000000") { id } }');
  expect(wsCodes(await runner.result('m'))).toEqual(['NOT_FOUND']);
});

test('a revoked token is refused at once: HTTP, exports, the next operation on an open WebSocket, then its open streams', async () => {
  const doomed = await createToken(env, 'doomed', 'read');
  const other = await createToken(env, 'other', 'read');
  expect((await post(server.graphqlUrl, '{ health }', { token: doomed })).status).toBe(200);
  const runId = await withDb(server.databaseUrl, (db) => insertRun(db, 'PRUNE', null, 'QUEUED'));
  const sub = 'subscription($id: ID) { runEvents(runId: $id) { step } }';
  const open = await ws({ token: doomed });
  open.subscribe('before', sub, { id: runId });
  const bystander = await ws({ token: other });
  bystander.subscribe('s', sub, { id: runId });
  await untilSubscribed(server.databaseUrl, runId, [
    [open, 'before'],
    [bystander, 's'],
  ]);
  await publishRunEvent(server.databaseUrl, { runId, step: 1 });
  expect((await open.result('before'))?.payload).toEqual({ data: { runEvents: { step: 1 } } });

  // Revoked in the database, then the open socket's next subscribe at once (no cache).
  await withDb(server.databaseUrl, (db) =>
    db.query(`UPDATE api_token SET revoked_at = now() WHERE name = 'doomed' AND revoked_at IS NULL`),
  );
  open.subscribe('after', sub, { id: runId });
  const after = await open.result('after');
  if (after) {
    expect(after.type).toBe('error');
    expect(wsCodes(after)).toEqual(['UNAUTHENTICATED']);
  } else {
    // The periodic re-check closed the socket first (a chance of a few ms in 2 s): also a refusal.
    expect(open.isClosed).toEqual({ code: 4403, reason: 'UNAUTHENTICATED: token revoked' });
  }
  expect((await post(server.graphqlUrl, '{ health }', { token: doomed })).status).toBe(401);
  expect((await get(`${server.baseUrl}/export/evaluations.csv`, doomed)).status).toBe(401);
  // The stream opened before the revocation ends within the re-check period (2 s here).
  const t0 = Date.now();
  expect(await open.closed).toEqual({ code: 4403, reason: 'UNAUTHENTICATED: token revoked' });
  expect(Date.now() - t0).toBeLessThan(5000);
  expect((await ws({ token: doomed })).isClosed?.code).toBe(4403);

  // Other tokens are untouched.
  expect(bystander.isClosed).toBeNull();
  await publishRunEvent(server.databaseUrl, { runId, step: 2 });
  expect(await bystander.waitFor((m) => m.id === 's' && JSON.stringify(m.payload).includes('"step":2'))).not.toBeNull();

  // Revoking through the CLI (by name) is refused from the next request on, too.
  expect((await post(server.graphqlUrl, '{ health }', { token: other })).status).toBe(200);
  const revoke = await cli(['token', 'revoke', 'other'], env);
  expect(revoke.status).toBe(0);
  expect(revoke.stdout).toContain('revoked token "other"');
  expect((await post(server.graphqlUrl, '{ health }', { token: other })).status).toBe(401);
  const list = await cli(['token', 'list'], env);
  const line = list.stdout.split('\n').find((l) => /\sother\s+read\s/.test(l)) ?? '';
  expect(line.match(/\d{4}-\d\d-\d\d \d\d:\d\dZ/g)).toHaveLength(3); // created, last used, revoked
});

test('no refusal logged an internal error', () => {
  expect(server.output()).not.toMatch(/internal error|request guard failed|Internal server error/i);
});
