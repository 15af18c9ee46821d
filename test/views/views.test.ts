/**
 * The derived views over GraphQL against the real server (child process, its own cloned database),
 * on the hand-made study of fixture.ts. One server for the file: initdb costs seconds.
 */
import { randomUUID } from 'crypto';
import { createDataSource } from '../../src/app/data-source';
import { ENTITIES } from '../../src/app/entities';
import { Model } from '../../src/model/model.entity';
import { Ticket } from '../../src/ticket/ticket.entity';
import { layerSparsityForTickets } from '../../src/ticket/ticket.layer-counts';
import { insertMaskTicket, insertModelFor, TINY_CONFIG, withDb } from '../helpers/seed';
import { startServer, type GqlResponse, type TestServer } from '../helpers/server';
import { LAYOUT, layeredMask, N, seedStudy, type Study } from './fixture';
import { exportSuite } from './exports';
import { loaderSuite } from './loaders';

let server: TestServer;
let s: Study;

beforeAll(async () => {
  server = await startServer({ env: { TICKETLAB_TEST_SQL_COUNT: '1', TICKETLAB_WORKER: '0' } });
  s = await withDb(server.databaseUrl, seedStudy);
});

afterAll(async () => {
  await server?.stop();
});

function ok<T>(res: GqlResponse<T>): T {
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

interface Point {
  sparsity: number;
  dense: boolean;
  score: number;
  scoreStd: number;
  relativeScore: number | null;
  n: number;
  tickets: number;
}
const CURVE = `query($m: ID!, $t: ID!, $method: PruningMethod, $init: WeightInit, $mode: TrainingMode, $src: ID) {
  sparsityCurve(modelId: $m, taskId: $t, method: $method, weightInit: $init, trainingMode: $mode, sourceTaskId: $src) {
    sparsity dense score scoreStd relativeScore n tickets } }`;

describe('sparsityCurve', () => {
  test('mean ± sample std per exact sparsity, dense point first, relative to the dense mean', async () => {
    const { sparsityCurve: c } = ok(await server.gql<{ sparsityCurve: Point[] }>(CURVE, { m: s.modelId, t: s.vqa }));
    expect(c.map((p) => [p.sparsity, p.dense, p.n, p.tickets])).toEqual([
      [0, true, 3, 0],
      [870 / N, false, 2, 1],
      [0.5, false, 3, 2],
      [3046 / N, false, 1, 1],
    ]);
    const expected = [
      { score: 0.62, std: 0.02 },
      { score: 0.63, std: Math.SQRT2 * 0.01 },
      { score: 0.613, std: 0.002 },
      { score: 0.55, std: 0 },
    ];
    c.forEach((p, i) => {
      expect(p.score).toBeCloseTo(expected[i].score, 12);
      expect(p.scoreStd).toBeCloseTo(expected[i].std, 12);
      expect(p.relativeScore).toBeCloseTo(expected[i].score / 0.62, 12);
    });
  });

  test('method, weight init and source task select other evaluations', async () => {
    const random = ok(
      await server.gql<{ sparsityCurve: Point[] }>(CURVE, { m: s.modelId, t: s.vqa, method: 'RANDOM' }),
    ).sparsityCurve;
    expect(random.map((p) => [p.sparsity, p.n])).toEqual([
      [0, 3],
      [0.5, 1],
    ]);
    expect(random[1].score).toBeCloseTo(0.4, 12);
    const init = ok(
      await server.gql<{ sparsityCurve: Point[] }>(CURVE, { m: s.modelId, t: s.vqa, init: 'RANDOM' }),
    ).sparsityCurve;
    expect(init).toHaveLength(1);
    expect(init[0]).toMatchObject({ dense: true, n: 1 });
    expect(init[0].relativeScore).toBeCloseTo(0.3 / 0.62, 12);
    const adv = ok(
      await server.gql<{ sparsityCurve: Point[] }>(CURVE, { m: s.modelId, t: s.vqa, mode: 'ADVERSARIAL' }),
    ).sparsityCurve;
    expect(adv).toEqual([
      { sparsity: 870 / N, dense: false, score: 0.9, scoreStd: 0, relativeScore: null, n: 1, tickets: 1 },
    ]);
    const pre = ok(
      await server.gql<{ sparsityCurve: Point[] }>(CURVE, { m: s.modelId, t: s.vqa, src: s.pretrain }),
    ).sparsityCurve;
    expect(pre.map((p) => [p.sparsity, p.n])).toEqual([
      [0, 3],
      [0.5, 1],
    ]);
    expect(pre[1].score).toBeCloseTo(0.6, 12);
  });

  test('bad and unknown ids', async () => {
    const bad = await server.gql(CURVE, { m: 'nope', t: s.vqa });
    expect(bad.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    const missing = await server.gql(CURVE, { m: randomUUID(), t: s.vqa });
    expect(missing.errors![0].extensions!.code).toBe('NOT_FOUND');
  });
});

const WINNERS = `query($m: ID!, $t: ID!, $th: Float, $strict: Boolean, $method: PruningMethod) {
  winningTickets(modelId: $m, taskId: $t, threshold: $th, strict: $strict, method: $method) { id sparsity } }`;

describe('winningTickets', () => {
  const ids = async (vars: Record<string, unknown>) =>
    ok(
      await server.gql<{ winningTickets: Array<{ id: string }> }>(WINNERS, { m: s.modelId, ...vars }),
    ).winningTickets.map((t) => t.id);

  test('relaxed: relative score ≥ threshold (default 0.99), highest sparsity first', async () => {
    expect(await ids({ t: s.vqa })).toEqual([s.t.B, s.t.A]);
    expect(await ids({ t: s.vqa, th: 0.98 })).toEqual([s.t.B, s.t.C, s.t.A]);
    expect(await ids({ t: s.vqa, th: 0.6 })).toEqual([s.t.D, s.t.B, s.t.C, s.t.R, s.t.A]);
    expect(await ids({ t: s.vqa, th: 0.6, method: 'RANDOM' })).toEqual([s.t.R]);
    expect(await ids({ t: s.vqa, th: 1.5 })).toEqual([]);
  });

  test('strict: mean score at least the dense mean', async () => {
    expect(await ids({ t: s.vqa, strict: true })).toEqual([s.t.A]);
  });

  test('a loss metric (PRETRAIN) counts lower as better', async () => {
    expect(await ids({ t: s.pretrain })).toEqual([s.t.P2, s.t.P4]);
    expect(await ids({ t: s.pretrain, strict: true })).toEqual([s.t.P4]);
  });

  test('no dense evaluation, no winners; a negative threshold is refused', async () => {
    expect(await ids({ t: s.nlvr2, th: 0 })).toEqual([]);
    const res = await server.gql(WINNERS, { m: s.modelId, t: s.vqa, th: -1 });
    expect(res.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('transferMatrix', () => {
  const Q = `query($m: ID!, $s: Float!, $tol: Float) { transferMatrix(modelId: $m, sparsity: $s, tolerance: $tol) {
    sparsity sources { kind } targets { kind }
    cells { source { id name kind } target { id name kind } ticket { id } tickets { id } score scoreStd relativeScore n } } }`;
  type M = {
    transferMatrix: {
      sparsity: number;
      sources: Array<{ kind: string }>;
      targets: Array<{ kind: string }>;
      cells: Array<{
        source: { kind: string };
        target: { kind: string };
        ticket: { id: string } | null;
        tickets: Array<{ id: string }>;
        score: number;
        scoreStd: number;
        relativeScore: number | null;
        n: number;
      }>;
    };
  };

  test('source × target cells at the exact sparsity', async () => {
    const m = ok(await server.gql<M>(Q, { m: s.modelId, s: 0.5 })).transferMatrix;
    expect(m.sparsity).toBe(0.5);
    expect(m.sources.map((t) => t.kind)).toEqual(['VQA', 'GQA', 'PRETRAIN']);
    expect(m.targets.map((t) => t.kind)).toEqual(['VQA', 'GQA']);
    const cells = m.cells.map((c) => ({
      pair: `${c.source.kind}→${c.target.kind}`,
      ticket: c.ticket?.id ?? null,
      tickets: c.tickets.map((t) => t.id),
      n: c.n,
      score: c.score,
      rel: c.relativeScore,
    }));
    const dense: Record<string, number> = { VQA: 0.62, GQA: 0.71 };
    const expected = [
      ['VQA→VQA', null, [s.t.B, s.t.C].sort(), 3, 0.613],
      ['VQA→GQA', s.t.B, [s.t.B], 1, 0.68],
      ['GQA→VQA', s.t.E, [s.t.E], 1, 0.58],
      ['GQA→GQA', s.t.E, [s.t.E], 1, 0.7],
      ['PRETRAIN→VQA', s.t.P, [s.t.P], 1, 0.6],
      ['PRETRAIN→GQA', s.t.P, [s.t.P], 1, 0.66],
    ] as const;
    expect(cells.map((c) => [c.pair, c.ticket, c.tickets, c.n])).toEqual(expected.map((e) => [e[0], e[1], e[2], e[3]]));
    cells.forEach((c, i) => {
      expect(c.score).toBeCloseTo(expected[i][4], 12);
      expect(c.rel).toBeCloseTo(expected[i][4] / dense[c.pair.split('→')[1]], 12);
    });
  });

  test('a tolerance widens the match; sparsity is validated', async () => {
    const m = ok(await server.gql<M>(Q, { m: s.modelId, s: 0.5, tol: 0.001 })).transferMatrix;
    expect(m.targets.map((t) => t.kind)).toEqual(['VQA', 'GQA', 'NLVR2']);
    const nlvr = m.cells.find((c) => c.target.kind === 'NLVR2')!;
    expect(nlvr).toMatchObject({ ticket: { id: s.t.F }, n: 1, relativeScore: null });
    const bad = await server.gql(Q, { m: s.modelId, s: 1.5 });
    expect(bad.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('maskOverlap and layerSparsity', () => {
  const overlap = (a: string, b: string) =>
    server.gql<{ maskOverlap: number }>('query($a: ID!, $b: ID!) { maskOverlap(a: $a, b: $b) }', { a, b });

  test('Jaccard of kept weights on known masks', async () => {
    expect(ok(await overlap(s.t.A, s.t.B)).maskOverlap).toBeCloseTo(2176 / 3482, 14);
    expect(ok(await overlap(s.t.B, s.t.C)).maskOverlap).toBe(1);
    // A keeps i ≥ 870; X keeps i % 3 ≠ 0.
    let inter = 0;
    let union = 0;
    for (let i = 0; i < N; i++) {
      const a = i >= 870;
      const x = i % 3 !== 0;
      inter += a && x ? 1 : 0;
      union += a || x ? 1 : 0;
    }
    expect(ok(await overlap(s.t.A, s.t.X)).maskOverlap).toBeCloseTo(inter / union, 14);
  });

  test('masks of different models are a BAD_USER_INPUT; unknown tickets NOT_FOUND', async () => {
    const res = await overlap(s.t.A, s.t.Other);
    expect(res.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/different models/);
    expect((await overlap(s.t.A, randomUUID())).errors![0].extensions!.code).toBe('NOT_FOUND');
  });

  test('per-layer counts come from the stored mask, in canonical order', async () => {
    const res = ok(
      await server.gql<{
        ticket: {
          sparsity: number;
          layerSparsity: Array<{ name: string; total: number; pruned: number; sparsity: number }>;
        };
      }>('query($id: ID!) { ticket(id: $id) { sparsity layerSparsity { name total pruned sparsity } } }', {
        id: s.t.L,
      }),
    );
    const { pruned } = layeredMask();
    expect(res.ticket.layerSparsity).toEqual(
      LAYOUT.map((l, j) => {
        const total = l.shape[0] * l.shape[1];
        return { name: l.name, total, pruned: pruned[j], sparsity: pruned[j] / total };
      }),
    );
    expect(res.ticket.sparsity).toBeCloseTo(pruned.reduce((a, b) => a + b, 0) / N, 14);
  });

  test('ticket detail: model, task, parent, evaluations and their relations', async () => {
    const res = ok(
      await server.gql<{
        ticket: {
          model: { id: string };
          task: { kind: string };
          parent: null;
          evaluations: Array<{
            score: number;
            weightInit: string;
            trainingMode: string;
            relativeScore: number | null;
            ticket: { id: string };
            model: { id: string };
            task: { kind: string };
          }>;
        };
      }>(
        `query($id: ID!) { ticket(id: $id) { model { id } task { kind } parent { id }
         evaluations { score weightInit trainingMode relativeScore ticket { id } model { id } task { kind } } } }`,
        { id: s.t.A },
      ),
    );
    expect(res.ticket).toMatchObject({ model: { id: s.modelId }, task: { kind: 'VQA' }, parent: null });
    expect(
      res.ticket.evaluations.map((e) => [e.score, e.weightInit, e.trainingMode, e.task.kind, e.ticket.id, e.model.id]),
    ).toEqual([
      [0.64, 'PRETRAINED', 'STANDARD', 'VQA', s.t.A, s.modelId],
      [0.62, 'PRETRAINED', 'STANDARD', 'VQA', s.t.A, s.modelId],
      [0.9, 'PRETRAINED', 'ADVERSARIAL', 'VQA', s.t.A, s.modelId],
    ]);
    expect(res.ticket.evaluations[0].relativeScore).toBeCloseTo(0.64 / 0.62, 12);
    expect(res.ticket.evaluations[2].relativeScore).toBeNull();
  });
});

loaderSuite(() => server);
exportSuite(
  () => server,
  () => s,
);

describe('layerSparsity on layouts whose layers do not start on byte boundaries', () => {
  /** Segment sizes of a 1-layer model: Q K V O (h·h), intermediate and output (i·h), pooler (h·h). */
  const sizes = (h: number, i: number) => [h * h, h * h, h * h, h * h, i * h, h * i, h * h];

  test.each([
    [3, 5],
    [1, 2],
  ])('hidden %i, intermediate %i', async (hidden, intermediate) => {
    const seg = sizes(hidden, intermediate);
    const total = seg.reduce((a, b) => a + b, 0);
    // A fixed irregular pattern: kept where (7·i² + 3·i) mod 5 < 3.
    const kept = new Uint8Array(total).map((_, i) => ((7 * i * i + 3 * i) % 5 < 3 ? 1 : 0));
    const config = { ...TINY_CONFIG, layers: 1, hidden, heads: 1, intermediate };
    const id = await withDb(server.databaseUrl, async (db) => {
      const { id: modelId, prunable } = await insertModelFor(db, `odd-${hidden}-${intermediate}`, config);
      expect(prunable).toBe(total);
      return insertMaskTicket(db, { modelId, taskId: s.vqa, kept });
    });
    const res = ok(
      await server.gql<{ ticket: { layerSparsity: Array<{ total: number; pruned: number }> } }>(
        'query($id: ID!) { ticket(id: $id) { layerSparsity { total pruned } } }',
        { id },
      ),
    );
    let offset = 0;
    const expected = seg.map((n) => {
      const pruned = kept.subarray(offset, offset + n).reduce((a, v) => a + (v ? 0 : 1), 0);
      offset += n;
      return { total: n, pruned };
    });
    expect(res.ticket.layerSparsity).toEqual(expected);
  });
});

describe('layer counting without bit_count (PostgreSQL < 14)', () => {
  test('reading the masks gives the same counts as PostgreSQL', async () => {
    const ds = createDataSource(server.databaseUrl, ENTITIES);
    await ds.initialize();
    try {
      const tickets = await ds.getRepository(Ticket).find();
      expect(tickets.length).toBeGreaterThan(100);
      const modelOf = (t: { modelId: string }) => ds.getRepository(Model).findOneBy({ id: t.modelId });
      const driver = ds.driver as unknown as { version: string };
      expect(Number(driver.version.split('.')[0])).toBeGreaterThanOrEqual(14);
      const inSql = await layerSparsityForTickets(ds, tickets, modelOf);
      driver.version = '13.9';
      const inProcess = await layerSparsityForTickets(ds, tickets, modelOf);
      expect(inProcess).toEqual(inSql);
      expect(inSql.filter((l) => l.length > 0).length).toBeGreaterThan(100);
    } finally {
      await ds.destroy();
    }
  });
});
