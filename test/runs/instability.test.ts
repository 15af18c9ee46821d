/**
 * INSTABILITY runs through the real server: an analysis of an IMP ticket at three rewind points
 * stores one result per point — 11 alphas, 11 scores, the barrier as defined — answered by
 * `instability(...)`; the dense network can be analysed too; the same request is the same run;
 * bad input is refused with the field named.
 */
import { startServer, type TestServer } from '../helpers/server';
import { pretrainTinyModel, taskIdOf, waitForRun } from '../helpers/runs';

jest.setTimeout(300_000);

let server: TestServer;
let modelId: string;
let ve: string;
let ticketId: string;

beforeAll(async () => {
  server = await startServer();
  modelId = await pretrainTinyModel(server, 'tiny-instability');
  ve = await taskIdOf(server, 'SNLI_VE');
  const r = await server.gql<{ startPruning: { id: string } }>(
    'mutation($i: PruningInput!) { startPruning(input: $i) { id } }',
    {
      i: { modelId, taskId: ve, method: 'IMP', sparsities: [0.5], stepsPerLevel: 10 },
    },
  );
  await waitForRun(server, r.data!.startPruning.id, ['SUCCEEDED'], 120_000);
  const t = await server.gql<{ tickets: { edges: Array<{ node: { id: string; level: number } }> } }>(
    'query($f: TicketFilter) { tickets(filter: $f) { edges { node { id level } } } }',
    { f: { runId: r.data!.startPruning.id } },
  );
  ticketId = t.data!.tickets.edges.find((e) => e.node.level === 1)!.node.id;
});

afterAll(async () => {
  await server?.stop();
});

const START = 'mutation($i: InstabilityInput!) { startInstability(input: $i) { id kind status } }';
const RESULTS = `query($m: ID!, $t: ID!, $k: ID) { instability(modelId: $m, taskId: $t, ticketId: $k) {
  runId ticketId rewindStep steps seeds alphas scores barrier } }`;
interface Result {
  runId: string;
  ticketId: string | null;
  rewindStep: number;
  steps: number;
  seeds: number[];
  alphas: number[];
  scores: number[];
  barrier: number;
}

test('a ticket analysed at three rewind points: one result each, barrier as defined; the same request is the same run', async () => {
  const input = { modelId, taskId: ve, ticketId, rewindSteps: [8, 0, 4], steps: 12 };
  const r = await server.gql<{ startInstability: { id: string; kind: string } }>(START, { i: input });
  expect(r.data!.startInstability.kind).toBe('INSTABILITY');
  const id = r.data!.startInstability.id;
  const t0 = Date.now();
  await waitForRun(server, id, ['SUCCEEDED'], 240_000);
  console.log(`instability analysis, 3 rewind points on the tiny model: ${Date.now() - t0} ms`);
  const again = await server.gql<{ startInstability: { id: string } }>(START, {
    i: { ...input, rewindSteps: [0, 4, 8] },
  });
  expect(again.data!.startInstability.id).toBe(id);
  const res = (await server.gql<{ instability: Result[] }>(RESULTS, { m: modelId, t: ve, k: ticketId })).data!
    .instability;
  expect(res.map((x) => x.rewindStep)).toEqual([0, 4, 8]);
  for (const x of res) {
    expect(x).toMatchObject({ runId: id, ticketId, steps: 12, seeds: [1, 2] });
    expect(x.alphas).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(x.scores).toHaveLength(11);
    expect(x.barrier).toBe((x.scores[0] + x.scores[10]) / 2 - Math.min(...x.scores));
  }
  const run = await server.gql<{ run: { step: number; totalSteps: number } }>(
    'query($id: ID!) { run(id: $id) { step totalSteps } }',
    {
      id,
    },
  );
  expect(run.data!.run).toEqual({ step: 0 + 4 + 8 + 3 * 24, totalSteps: 84 });
});

test('the dense network can be analysed too', async () => {
  const r = await server.gql<{ startInstability: { id: string } }>(START, {
    i: { modelId, taskId: ve, steps: 8, seeds: [3, 5] },
  });
  await waitForRun(server, r.data!.startInstability.id, ['SUCCEEDED'], 120_000);
  const res = (await server.gql<{ instability: Result[] }>(RESULTS, { m: modelId, t: ve, k: null })).data!.instability;
  expect(res).toHaveLength(1);
  expect(res[0]).toMatchObject({ ticketId: null, rewindStep: 0, seeds: [3, 5] });
});

test('bad input is refused with the field named, before anything is stored', async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ rewindSteps: [] }, 'rewindSteps'],
    [{ rewindSteps: [0, 0] }, 'rewindSteps'],
    [{ steps: 10, rewindSteps: [11] }, 'rewindSteps[0]'],
    [{ seeds: [1] }, 'seeds'],
    [{ seeds: [1, 1] }, 'seeds'],
    [{ ticketId: '00000000-0000-0000-0000-000000000009' }, 'ticketId'],
  ];
  for (const [extra, field] of cases) {
    const r = await server.gql(START, { i: { modelId, taskId: ve, ...extra } });
    const e = r.errors?.[0];
    expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(e?.extensions?.code);
    expect(e!.message).toContain(field);
  }
  const q = await server.gql(RESULTS, { m: 'nope', t: ve, k: null });
  expect(q.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});
