/**
 * The run-time SQL statement budget per query (TICKETLAB_MAX_SQL_STATEMENTS), on a server whose
 * budget is 6: a query within it runs; one past it gets QUERY_TOO_COSTLY naming the budget, over
 * HTTP and over WebSocket (the statement past the budget throws before TypeORM sends it, and
 * so does every later one of the request); mutations are not budgeted; `{ health }` answers.
 */
import { withDb } from '../helpers/seed';
import { startServer, type TestServer } from '../helpers/server';
import { RawWs, wsCodes } from '../auth/ws-client';

let server: TestServer;
let ws: RawWs;
const BUDGET = 6;

beforeAll(async () => {
  server = await startServer({
    env: { TICKETLAB_MAX_SQL_STATEMENTS: String(BUDGET), TICKETLAB_TEST_SQL_COUNT: '1', TICKETLAB_WORKER: '0' },
  });
  ws = await RawWs.open(server.wsUrl);
}, 120_000);

afterAll(async () => {
  await ws?.close();
  await server?.stop();
});

const aliases = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: runs(first: 5) { totalCount edges { node { id } } }`).join(' ')} }`;

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string } }>;
  extensions?: { sqlQueries?: number };
}

async function post(query: string): Promise<Answer> {
  const res = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

test('a query within the budget runs and reports its statements', async () => {
  const r = await post(aliases(2));
  expect(r.errors).toBeUndefined();
  expect(r.extensions!.sqlQueries).toBeGreaterThan(0);
  expect(r.extensions!.sqlQueries).toBeLessThanOrEqual(BUDGET);
});

test('a query past the budget is refused with QUERY_TOO_COSTLY naming the budget', async () => {
  const r = await post(aliases(12));
  expect(r.errors!.length).toBeGreaterThan(0);
  for (const e of r.errors!) {
    expect(e.extensions!.code).toBe('QUERY_TOO_COSTLY');
    expect(e.message).toMatch(new RegExp(`more than ${BUDGET} SQL statements`));
  }
  // runs is non-null: a refused root field nulls the whole answer.
  expect(r.data).toBeNull();
  expect(r.extensions!.sqlQueries).toBeGreaterThan(BUDGET);
  const health = await post('{ health }');
  expect(health.data).toEqual({ health: 'ok' });
});

test('over WebSocket the same query is refused with the same code, and the socket keeps serving', async () => {
  ws.subscribe('big', aliases(12));
  const m = await ws.result('big');
  expect(m?.type).toBe('next');
  const got = wsCodes(m);
  expect(got.length).toBeGreaterThan(0);
  expect(new Set(got)).toEqual(new Set(['QUERY_TOO_COSTLY']));
  ws.subscribe('small', aliases(2));
  const ok = await ws.result('small');
  expect(wsCodes(ok)).toEqual([]);
  expect(Object.keys((ok!.payload as { data: Record<string, unknown> }).data)).toEqual(['a0', 'a1']);
});

test('mutations are not budgeted (their own caps bound them)', async () => {
  const models = await post('{ models { id } tasks { id kind } }');
  const modelId = (models.data!.models as Array<{ id: string }>)[0].id;
  const tasks = models.data!.tasks as Array<{ id: string; kind: string }>;
  const taskId = tasks.find((t) => t.kind === 'VQA')!.id;
  const before = await withDb(server.databaseUrl, async (db) =>
    Number((await db.query('SELECT count(*) FROM run')).rows[0].count),
  );
  const r = await post(
    `mutation { a: startPruning(input: { modelId: "${modelId}", taskId: "${taskId}", method: RANDOM, sparsities: [0.5], stepsPerLevel: 5 }) { id }
                b: startPruning(input: { modelId: "${modelId}", taskId: "${taskId}", method: RANDOM, sparsities: [0.6], stepsPerLevel: 5 }) { id } }`,
  );
  expect(r.errors).toBeUndefined();
  expect(r.extensions!.sqlQueries).toBeGreaterThan(BUDGET);
  const after = await withDb(server.databaseUrl, async (db) =>
    Number((await db.query('SELECT count(*) FROM run')).rows[0].count),
  );
  expect(after).toBe(before + 2);
});
