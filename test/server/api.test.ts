/**
 * Drives the real server (child process, its own database cloned from the migrated template) over HTTP.
 * One server for the whole file: initdb costs seconds.
 */
import { randomUUID } from 'crypto';
import { builtinTaskId, insertModel, insertRun, insertTicket, withDb } from '../helpers/seed';
import { startServer, type TestServer } from '../helpers/server';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('queries over HTTP', () => {
  test('health, compute and the built-in tasks round-trip', async () => {
    const res = await server.gql<{
      health: string;
      compute: { backend: string; gpu: boolean; device: string | null };
      tasks: Array<{ name: string; kind: string; metric: string; builtIn: boolean; trainSize: number }>;
    }>('{ health compute { backend gpu device } tasks { name kind metric builtIn trainSize } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.health).toBe('ok');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(res.data!.compute.backend);
    if (res.data!.compute.backend !== 'tensorflow') expect(res.data!.compute.gpu).toBe(false);
    const tasks = res.data!.tasks;
    expect(tasks.map((t) => t.kind)).toEqual([
      'VQA',
      'GQA',
      'VCR',
      'SNLI_VE',
      'REFCOCO',
      'RETRIEVAL',
      'NLVR2',
      'PRETRAIN',
    ]);
    expect(tasks.find((t) => t.kind === 'VQA')).toMatchObject({
      name: 'synthetic-vqa',
      metric: 'vqa_score',
      builtIn: true,
    });
    expect(tasks.find((t) => t.kind === 'RETRIEVAL')!.metric).toBe('ir_r1');
    expect(tasks.find((t) => t.kind === 'PRETRAIN')!.metric).toBe('pretrain_loss');
  });

  test('GET / is a small page pointing at /graphql; the mask export of an unknown ticket is a 404', async () => {
    const page = await fetch(server.baseUrl + '/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/graphql');
    const mask = await fetch(`${server.baseUrl}/export/tickets/${randomUUID()}/mask.safetensors`);
    expect(mask.status).toBe(404);
    expect(((await mask.json()) as { error: string }).error).toBe('NOT_FOUND');
  });

  test('tickets paginate with a keyset cursor, newest first, and filter', async () => {
    const t0 = Date.parse('2025-01-01T00:00:00.000Z');
    const { modelId, ids, otherModel } = await withDb(server.databaseUrl, async (db) => {
      const modelId = await insertModel(db, 'pagination-model', 20);
      const otherModel = await insertModel(db, 'other-model', 20);
      const taskId = await builtinTaskId(db, 'VQA');
      const ids: string[] = [];
      // 25 tickets; two share each timestamp so ties are broken by id.
      for (let i = 0; i < 25; i++) {
        ids.push(
          await insertTicket(db, {
            modelId,
            taskId,
            sparsity: (i % 10) / 10,
            createdAt: new Date(t0 + Math.floor(i / 2) * 1000),
          }),
        );
      }
      await insertTicket(db, { modelId: otherModel, taskId, sparsity: 0.5 });
      return { modelId, ids, otherModel };
    });
    const query = `query($f: TicketFilter, $first: Int, $after: String) {
      tickets(filter: $f, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id sparsity maskBits model { id name } task { kind } maskUrl } }
      } }`;
    type Page = {
      tickets: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: Array<{
          node: {
            id: string;
            sparsity: number;
            maskBits: number;
            model: { id: string };
            task: { kind: string };
            maskUrl: string;
          };
        }>;
      };
    };
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: Awaited<ReturnType<typeof server.gql<Page>>> = await server.gql<Page>(query, {
        f: { modelId },
        first: 10,
        after,
      });
      expect(res.errors).toBeUndefined();
      const conn = res.data!.tickets;
      expect(conn.totalCount).toBe(25);
      seen.push(...conn.edges.map((e) => e.node.id));
      pages++;
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen)).toEqual(new Set(ids));
    // newest first: the last inserted timestamps come first
    expect(ids.slice(23)).toContain(seen[0]);
    const first = await server.gql<Page>(query, { f: { modelId }, first: 1 });
    const node = first.data!.tickets.edges[0].node;
    expect(node).toMatchObject({
      maskBits: 20,
      model: { id: modelId },
      task: { kind: 'VQA' },
      maskUrl: `/export/tickets/${node.id}/mask.safetensors`,
    });

    const filtered = await server.gql<Page>(query, { f: { modelId, minSparsity: 0.8, maxSparsity: 0.9 }, first: 100 });
    expect(filtered.data!.tickets.edges.every((e) => e.node.sparsity >= 0.8 && e.node.sparsity <= 0.9)).toBe(true);
    expect(filtered.data!.tickets.totalCount).toBe(4); // i ∈ {8, 9, 18, 19}
    const other = await server.gql<Page>(query, { f: { modelId: otherModel } });
    expect(other.data!.tickets.totalCount).toBe(1);
  });

  test('unknown ids give NOT_FOUND with extensions.code, never a 500', async () => {
    for (const id of ['nope', randomUUID()]) {
      const res = await server.gql(`query($id: ID!) { ticket(id: $id) { id } }`, { id });
      expect(res.data).toEqual({ ticket: null });
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0].extensions).toEqual({ code: 'NOT_FOUND' });
      expect(JSON.stringify(res.errors)).not.toMatch(/stacktrace|at .*\.js:\d+/);
    }
    const run = await server.gql(`{ run(id: "${randomUUID()}") { id } }`);
    expect(run.errors![0].extensions!.code).toBe('NOT_FOUND');
  });

  test('first > 100, a negative first, a forged cursor and a malformed filter id are BAD_USER_INPUT', async () => {
    for (const q of [
      '{ tickets(first: 101) { totalCount } }',
      '{ runs(first: -1) { totalCount } }',
      '{ evaluations(after: "bm90LWEtY3Vyc29y") { totalCount } }',
      '{ tickets(filter: { modelId: "x" }) { totalCount } }',
    ]) {
      const res = await server.gql(q);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  test('runs: filters, children, and metric series downsampled from stored points', async () => {
    const { parent, child } = await withDb(server.databaseUrl, async (db) => {
      const parent = await insertRun(db, 'TRANSFER', null, 'RUNNING');
      const child = await insertRun(db, 'EVALUATE', parent, 'QUEUED');
      await db.query(
        `INSERT INTO metric_point (run_id, step, name, value)
         SELECT $1::uuid, s, 'loss', 1.0 / (s + 1) FROM generate_series(0, 999) s
         UNION ALL SELECT $1::uuid, s * 100, 'val/score', s / 10.0 FROM generate_series(0, 9) s`,
        [parent],
      );
      return { parent, child };
    });
    const res = await server.gql<{
      run: {
        kind: string;
        status: string;
        step: number;
        totalSteps: number;
        children: Array<{ id: string }>;
        all: Array<{ name: string; points: Array<{ step: number; value: number }> }>;
        loss: Array<{ name: string; points: Array<{ step: number }> }>;
      };
      runs: { totalCount: number; edges: Array<{ node: { id: string } }> };
    }>(
      `query($id: ID!) {
      run(id: $id) { kind status step totalSteps children { id }
        all: metrics { name points { step value } }
        loss: metrics(names: ["loss"], points: 50) { name points { step } } }
      runs(filter: { parentId: $id }) { totalCount edges { node { id } } } }`,
      { id: parent },
    );
    expect(res.errors).toBeUndefined();
    const run = res.data!.run;
    expect(run).toMatchObject({
      kind: 'TRANSFER',
      status: 'RUNNING',
      step: 5,
      totalSteps: 100,
      children: [{ id: child }],
    });
    expect(run.all.map((s) => s.name)).toEqual(['loss', 'val/score']);
    expect(run.all[0].points).toHaveLength(200);
    expect(run.all[1].points).toHaveLength(10); // fewer than the limit: all kept
    const loss = run.loss[0].points.map((p) => p.step);
    expect(loss).toHaveLength(50);
    expect(loss[0]).toBe(0);
    expect(loss[49]).toBe(999);
    expect(res.data!.runs).toEqual({ totalCount: 1, edges: [{ node: { id: child } }] });
    const bad = await server.gql(`{ run(id: "${parent}") { metrics(points: 1) { name } } }`);
    expect(bad.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });

  test('evaluations: relativeScore from the dense evaluations of the same setting', async () => {
    const { ticketId, modelId } = await withDb(server.databaseUrl, async (db) => {
      const modelId = await insertModel(db, 'eval-model', 20);
      const taskId = await builtinTaskId(db, 'GQA');
      const ticketId = await insertTicket(db, { modelId, taskId, sparsity: 0.5 });
      const ins = `INSERT INTO evaluation (model_id, ticket_id, task_id, weight_init, training_mode, seed, steps, metrics, score)
                   VALUES ($1, $2, $3, $4, 'STANDARD', $5, 100, $6, $7)`;
      await db.query(ins, [modelId, null, taskId, 'PRETRAINED', 1, '{"accuracy":0.6}', 0.6]);
      await db.query(ins, [modelId, null, taskId, 'PRETRAINED', 2, '{"accuracy":0.8}', 0.8]);
      await db.query(ins, [modelId, ticketId, taskId, 'PRETRAINED', 1, '{"accuracy":0.63}', 0.63]);
      return { ticketId, modelId };
    });
    const res = await server.gql<{
      ticket: {
        evaluations: Array<{
          score: number;
          relativeScore: number;
          metrics: Record<string, number>;
          ticket: { id: string };
        }>;
      };
      evaluations: { totalCount: number };
    }>(
      `query($t: ID!, $m: ID!) {
        ticket(id: $t) { evaluations { score relativeScore metrics ticket { id } } }
        evaluations(filter: { modelId: $m, dense: true }) { totalCount } }`,
      { t: ticketId, m: modelId },
    );
    expect(res.errors).toBeUndefined();
    const [e] = res.data!.ticket.evaluations;
    expect(e.metrics).toEqual({ accuracy: 0.63 });
    expect(e.relativeScore).toBeCloseTo(0.63 / 0.7, 12);
    expect(e.ticket.id).toBe(ticketId);
    expect(res.data!.evaluations.totalCount).toBe(2);
  });
});
