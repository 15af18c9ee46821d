/**
 * EARLY_BIRD and compute accounting through the real server: an EARLY_BIRD run on a tiny model
 * streams its mask distances live in runEvents (beside the loss) and as metric points, stops by
 * its rule (or says it did not), stores one ticket per sparsity — exact in count, fine-tuned and
 * evaluated — whose searchSteps is the search's stop; IMP tickets cost level × stepsPerLevel and
 * RANDOM tickets 0; bad Early-Bird settings are refused before anything is stored.
 */
import { startServer, type TestServer } from '../helpers/server';
import { pretrainTinyModel, subscribeRunEvents, taskIdOf, waitForRun, type EventLog } from '../helpers/runs';

jest.setTimeout(300_000);

let server: TestServer;
let modelId: string;
let ve: string;
let log: EventLog;

beforeAll(async () => {
  server = await startServer();
  modelId = await pretrainTinyModel(server, 'tiny-eb');
  ve = await taskIdOf(server, 'SNLI_VE');
  log = await subscribeRunEvents(server);
});

afterAll(async () => {
  await log?.close();
  await server?.stop();
});

interface TicketRow {
  id: string;
  method: string;
  level: number;
  sparsity: number;
  maskBits: number;
  searchSteps: number | null;
  searchSeconds: number | null;
  layerSparsity: Array<{ total: number; pruned: number }>;
  evaluations: Array<{ score: number; steps: number }>;
  earlyBird: {
    converged: boolean;
    stoppedAtStep: number;
    budget: number;
    draws: number;
    windowMax: number | null;
    interval: number;
    window: number;
    tolerance: number;
  } | null;
}

async function start(input: Record<string, unknown>): Promise<string> {
  const r = await server.gql<{ startPruning: { id: string } }>(
    'mutation($i: PruningInput!) { startPruning(input: $i) { id } }',
    {
      i: { modelId, taskId: ve, ...input },
    },
  );
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.startPruning.id;
}

async function ticketsOf(runId: string): Promise<TicketRow[]> {
  const r = await server.gql<{ tickets: { edges: Array<{ node: TicketRow }> } }>(
    `query($f: TicketFilter) { tickets(filter: $f) { edges { node { id method level sparsity maskBits searchSteps searchSeconds
       layerSparsity { total pruned } evaluations { score steps }
       earlyBird { converged stoppedAtStep budget draws windowMax interval window tolerance } } } } }`,
    { f: { runId } },
  );
  return r.data!.tickets.edges.map((e) => e.node).sort((a, b) => a.sparsity - b.sparsity);
}

test('an EARLY_BIRD run streams mask distances live, stops by its rule and stores exact tickets with their search cost', async () => {
  const id = await start({
    method: 'EARLY_BIRD',
    sparsities: [0.6, 0.3],
    stepsPerLevel: 30,
    earlyBird: { searchSteps: 400, interval: 5, window: 3, tolerance: 0.5 },
  });
  await waitForRun(server, id, ['SUCCEEDED'], 240_000);
  const tickets = await ticketsOf(id);
  expect(tickets.map((t) => [t.method, t.level])).toEqual([
    ['EARLY_BIRD', 0],
    ['EARLY_BIRD', 0],
  ]);
  const eb = tickets[0].earlyBird!;
  expect(eb).toMatchObject({ budget: 400, interval: 5, window: 3, tolerance: 0.5 });
  expect(eb.converged).toBe(true);
  expect(eb.stoppedAtStep).toBeLessThan(400);
  expect(eb.stoppedAtStep % 5).toBe(0);
  expect(eb.draws).toBe(eb.stoppedAtStep / 5);
  expect(eb.windowMax!).toBeLessThan(0.5);
  for (const [t, s] of tickets.map((x, i) => [x, [0.3, 0.6][i]] as const)) {
    const pruned = t.layerSparsity.reduce((a, l) => a + l.pruned, 0);
    expect(pruned).toBe(Math.round(s * t.maskBits)); // exact in count, like every method
    expect(t.searchSteps).toBe(eb.stoppedAtStep);
    expect(t.searchSeconds!).toBeGreaterThan(0);
    expect(t.evaluations).toHaveLength(1);
    expect(t.evaluations[0].steps).toBe(30);
    expect(t.earlyBird).toEqual(eb);
  }
  // Live: the run's events carried each draw's distances (one per sparsity) beside the loss.
  const live = log.of(id).filter((e) => e.metrics && 'mask/distance@0.3' in e.metrics);
  expect(live.length).toBe(eb.draws - 1);
  for (const e of live)
    expect(Object.keys(e.metrics!).sort()).toEqual(['loss', 'lr', 'mask/distance@0.3', 'mask/distance@0.6']);
  // Stored: the same series as metric points.
  const m = await server.gql<{
    run: { metrics: Array<{ name: string; points: Array<{ step: number; value: number }> }> };
  }>(
    'query($id: ID!) { run(id: $id) { metrics(names: ["mask/distance@0.3", "mask/distance@0.6"]) { name points { step value } } } }',
    { id },
  );
  const series = m.data!.run.metrics;
  expect(series.map((x) => x.name).sort()).toEqual(['mask/distance@0.3', 'mask/distance@0.6']);
  for (const x of series) {
    expect(x.points).toHaveLength(eb.draws - 1);
    expect(x.points[x.points.length - 1].step).toBe(eb.stoppedAtStep);
  }
  const lastWindow = series.flatMap((x) => x.points.slice(-3).map((p) => p.value));
  expect(Math.max(...lastWindow)).toBe(eb.windowMax);
});

test('a rule that cannot be met spends the budget and the ticket says so', async () => {
  const id = await start({
    method: 'EARLY_BIRD',
    sparsities: [0.5],
    stepsPerLevel: 10,
    earlyBird: { searchSteps: 40, interval: 10, window: 5, tolerance: 0.01 },
  });
  await waitForRun(server, id, ['SUCCEEDED'], 120_000);
  const [t] = await ticketsOf(id);
  expect(t.earlyBird).toMatchObject({ converged: false, stoppedAtStep: 40, budget: 40, draws: 4 });
  expect(t.searchSteps).toBe(40);
});

test('IMP tickets cost level × stepsPerLevel, RANDOM tickets 0', async () => {
  const imp = await start({ method: 'IMP', sparsities: [0.3, 0.6], stepsPerLevel: 12 });
  const rnd = await start({ method: 'RANDOM', sparsities: [0.3], stepsPerLevel: 12 });
  await waitForRun(server, imp, ['SUCCEEDED'], 120_000);
  await waitForRun(server, rnd, ['SUCCEEDED'], 120_000);
  const it = await ticketsOf(imp);
  expect(it.map((t) => [t.level, t.searchSteps])).toEqual([
    [0, 0],
    [1, 12],
    [2, 24],
  ]);
  expect(it[0].searchSeconds).toBe(0);
  expect(it[2].searchSeconds!).toBeGreaterThan(it[1].searchSeconds!);
  const [r] = await ticketsOf(rnd);
  expect([r.searchSteps, r.searchSeconds, r.earlyBird]).toEqual([0, 0, null]);
  // "The best ticket found for at most N steps": the IMP ticket of level 2 cost 24 steps, so a
  // budget of 12 leaves only level 1 (sparsity 0.3), on the curve and among winning tickets.
  const q = await server.gql<{
    curve: Array<{ sparsity: number; dense: boolean; searchSteps: number | null; tickets: number }>;
    all: Array<{ sparsity: number; searchSteps: number | null }>;
    win: Array<{ id: string; searchSteps: number }>;
  }>(
    `query($m: ID!, $t: ID!) {
      curve: sparsityCurve(modelId: $m, taskId: $t, method: IMP, maxSearchSteps: 12) { sparsity dense searchSteps tickets }
      all: sparsityCurve(modelId: $m, taskId: $t, method: EARLY_BIRD) { sparsity searchSteps }
      win: winningTickets(modelId: $m, taskId: $t, method: IMP, threshold: 0, maxSearchSteps: 12) { id searchSteps } }`,
    { m: modelId, t: ve },
  );
  expect(q.data!.curve.map((p) => [p.dense, p.searchSteps])).toEqual([
    [true, 0],
    [false, 12],
  ]);
  expect(q.data!.curve[1].sparsity).toBeCloseTo(0.3, 3);
  expect(q.data!.win.map((w) => w.id)).toEqual([it[1].id]);
  // The EARLY_BIRD curve's cost axis: each point's mean search cost is its tickets' stop.
  const eb = q.data!.all.filter((p) => p.sparsity > 0);
  expect(eb.length).toBeGreaterThanOrEqual(2);
  for (const p of eb) expect(p.searchSteps).toBeGreaterThan(0);
  const bad = await server.gql(
    `query($m: ID!, $t: ID!) { sparsityCurve(modelId: $m, taskId: $t, maxSearchSteps: -1) { sparsity } }`,
    {
      m: modelId,
      t: ve,
    },
  );
  expect(bad.errors?.[0]?.message).toMatch(/^maxSearchSteps must be a non-negative integer/);
});

test('IMP with learning-rate rewinding: every ticket records its rule, masks exact and nested', async () => {
  const id = await start({ method: 'IMP', sparsities: [0.3, 0.6], stepsPerLevel: 12, retraining: 'REWIND_LR' });
  await waitForRun(server, id, ['SUCCEEDED'], 120_000);
  const r = await server.gql<{
    tickets: {
      edges: Array<{
        node: { level: number; retraining: string; maskBits: number; layerSparsity: Array<{ pruned: number }> };
      }>;
    };
  }>(
    'query($f: TicketFilter) { tickets(filter: $f) { edges { node { level retraining maskBits layerSparsity { pruned } } } } }',
    {
      f: { runId: id },
    },
  );
  const t = r.data!.tickets.edges.map((e) => e.node).sort((a, b) => a.level - b.level);
  expect(t.map((x) => x.retraining)).toEqual(['REWIND_LR', 'REWIND_LR', 'REWIND_LR']);
  expect(t.map((x) => x.layerSparsity.reduce((a, l) => a + l.pruned, 0))).toEqual([
    0,
    Math.round(0.3 * t[0].maskBits),
    Math.round(0.6 * t[0].maskBits),
  ]);
  // Curves keep the rules apart: REWIND_LR tickets are on their own curve, not on the default (REWIND_WEIGHTS) one.
  const c = await server.gql<{
    lr: Array<{ dense: boolean; tickets: number; searchSteps: number | null }>;
    rw: Array<{ dense: boolean; searchSteps: number | null }>;
  }>(
    `query($m: ID!, $t: ID!) { lr: sparsityCurve(modelId: $m, taskId: $t, method: IMP, retraining: REWIND_LR, steps: 12) { dense tickets searchSteps }
      rw: sparsityCurve(modelId: $m, taskId: $t, method: IMP, steps: 12) { dense searchSteps } }`,
    { m: modelId, t: ve },
  );
  expect(c.data!.lr.filter((p) => !p.dense).map((p) => [p.tickets, p.searchSteps])).toEqual([
    [1, 12],
    [1, 24],
  ]);
  // the default curve holds the REWIND_WEIGHTS run of the accounting test (same budget), one ticket per point
  expect(c.data!.rw.filter((p) => !p.dense).map((p) => p.searchSteps)).toEqual([12, 24]);
});

test('bad Early-Bird settings are refused with the field named', async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ method: 'IMP', earlyBird: { window: 3 } }, 'earlyBird'],
    [{ method: 'EARLY_BIRD', earlyBird: { interval: 0 } }, 'earlyBird.interval'],
    [{ method: 'EARLY_BIRD', stepsPerLevel: 10, earlyBird: { interval: 11 } }, 'earlyBird.interval'],
    [{ method: 'EARLY_BIRD', earlyBird: { tolerance: 0 } }, 'earlyBird.tolerance'],
    [{ method: 'EARLY_BIRD', earlyBird: { window: 0 } }, 'earlyBird.window'],
    [{ method: 'EARLY_BIRD', trainingMode: 'ADVERSARIAL' }, 'trainingMode'],
    [{ method: 'RANDOM', retraining: 'REWIND_LR' }, 'retraining'],
    [{ method: 'IMP', retraining: 'FINE_TUNE', rewindStep: 5 }, 'retraining'],
  ];
  for (const [input, field] of cases) {
    const r = await server.gql('mutation($i: PruningInput!) { startPruning(input: $i) { id } }', {
      i: { modelId, taskId: ve, ...input },
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message.startsWith(`${field}:`)).toBe(true);
  }
});
