/**
 * Studies end to end on a real server: a study on a tiny model is planned, runs to SUCCEEDED
 * through real runs, answers the tables and findings from stored evaluations (the means equal the
 * listed evaluations' to the last digit), is returned again for the same request without
 * scheduling anything, shares its runs with a second study, exports its report, is followed over
 * WebSocket, refuses bad input before storing anything, and can be cancelled.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startServer, type TestServer } from '../helpers/server';
import { pretrainTinyModel, taskIdOf } from '../helpers/runs';
import { withDb } from '../helpers/seed';

jest.setTimeout(600_000);

let server: TestServer;
let modelId: string;
let vqa: string;
let ve: string;

const STAT = 'mean std n ci95 relative';
const REPORT = `report {
  tickets { task { id name } dense { ${STAT} } relaxedSparsity strictSparsity baselineSparsity imp { ${STAT} }
            randomPruning { ${STAT} } shuffledWeights { ${STAT} } randomInit { ${STAT} } oneShot { ${STAT} }
            curve { sparsity stat { ${STAT} } } }
  pretrainingTransfer { sparsity cells { target { id } score relativeScore n } averageRelative averageDrop }
  adversarial { sparsity task { id } standard { ${STAT} } adversarial { ${STAT} } }
  findings { key statement holds evidence }
  transfer(sparsity: 0.6) { sparsity cells { source { id } target { id } score } }
  overlap(sparsity: 0.6) { sparsity tasks { kind } values }
  provenance { backend kernels worker runs }
}`;

type Stat = { mean: number; std: number | null; n: number; ci95: number | null; relative: number | null };
interface Study {
  id: string;
  status: string;
  progress: number;
  error: string | null;
  cost: { runs: number; reusedRuns: number; trainingSteps: number; computeSeconds: number };
  runs: { totalCount: number };
}

const input = (name: string, extra = '', seeds = '[1, 2]') =>
  `{ name: "${name}", preset: SMOKE, modelId: "${modelId}", taskIds: ["${vqa}", "${ve}"], sparsities: [0.3, 0.6],
     baselines: [RANDOM_PRUNING, SHUFFLED_WEIGHTS, RANDOM_INIT, ONE_SHOT], transferSparsities: [0.6],
     adversarialSparsities: [0.6], taskTransferSparsity: 0.6, seeds: ${seeds}, steps: 6 ${extra.includes('stepsPerLevel') ? '' : ', stepsPerLevel: 6'} ${extra} }`;

async function start(name: string, extra = ''): Promise<Study> {
  const r = await server.gql<{ startStudy: Study }>(
    `mutation { startStudy(input: ${input(name, extra)}) { id status progress error cost { runs reusedRuns trainingSteps computeSeconds } runs { totalCount } } }`,
  );
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.startStudy;
}

async function study(
  id: string,
  fields = 'id status progress error cost { runs reusedRuns trainingSteps computeSeconds } runs { totalCount }',
) {
  const r = await server.gql<{ study: Study & Record<string, unknown> }>(
    `query($id: ID!) { study(id: $id) { ${fields} } }`,
    { id },
  );
  if (!r.data?.study) throw new Error(JSON.stringify(r.errors));
  return r.data.study;
}

async function waitForStudy(id: string, status: string, timeoutMs = 400_000): Promise<Study> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await study(id);
    if (s.status === status) return s;
    if (['FAILED', 'CANCELLED', 'SUCCEEDED'].includes(s.status))
      throw new Error(`study ${id} ended ${s.status}: ${s.error}`);
    if (Date.now() > deadline) throw new Error(`study ${id} still ${s.status} at ${s.progress}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const countStudies = () =>
  withDb(server.databaseUrl, async (db) => Number((await db.query('SELECT count(*) FROM study')).rows[0].count));

beforeAll(async () => {
  server = await startServer({ env: { TICKETLAB_MAX_STUDY_RUNS: '40', TICKETLAB_MAX_STUDY_SEEDS: '3' } });
  modelId = await pretrainTinyModel(server, 'study-tiny');
  vqa = await taskIdOf(server, 'VQA');
  ve = await taskIdOf(server, 'SNLI_VE');
});

afterAll(async () => {
  await server?.stop();
});

test('bad input is refused with BAD_USER_INPUT naming the field, and nothing is stored', async () => {
  const cases: Array<[string, string]> = [
    [`{ name: "x", modelId: "00000000-0000-0000-0000-000000000000" }`, 'modelId'],
    [`{ name: "x", modelId: "${modelId}", taskIds: ["00000000-0000-0000-0000-000000000001"] }`, 'taskIds[0]'],
    [`{ name: "x", modelId: "${modelId}", sparsities: [0.5, 1.5] }`, 'sparsities[1]'],
    [`{ name: "x", modelId: "${modelId}", sparsities: [0] }`, 'sparsities[0]'],
    [`{ name: "x", modelId: "${modelId}", seeds: [] }`, 'seeds'],
    [`{ name: "x", modelId: "${modelId}", seeds: [1, 2, 3, 4] }`, 'seeds'],
    [`{ name: "x", modelId: "${modelId}", transferSparsities: [0.55] }`, 'transferSparsities[0]'],
    [`{ name: "", modelId: "${modelId}" }`, 'name'],
    [input('too big', '', '[1, 2, 3]'), 'input'],
  ];
  const before = await countStudies();
  for (const [i, field] of cases) {
    const r = await server.gql(`mutation { startStudy(input: ${i}) { id } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message.startsWith(`${field}:`)).toBe(true);
  }
  const big = await server.gql(`mutation { startStudy(input: ${input('too big', '', '[1, 2, 3]')}) { id } }`);
  expect(big.errors![0].message).toMatch(/51 runs, more than this server's cap of 40/);
  expect(await countStudies()).toBe(before);
});

test('a study runs to SUCCEEDED, answers its tables from stored results, and is not planned twice', async () => {
  const events: Array<{ status: string; runsDone: number; runsTotal: number }> = [];
  const ws = createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
  });
  const first = await start('smoke one');
  const done = new Promise<void>((resolve, reject) => {
    ws.subscribe<{ studyEvents: { status: string; runsDone: number; runsTotal: number } }>(
      { query: `subscription { studyEvents(studyId: "${first.id}") { status runsDone runsTotal progress message } }` },
      {
        next: (m) => {
          events.push(m.data!.studyEvents);
          if (m.data!.studyEvents.status === 'SUCCEEDED') resolve();
        },
        error: reject,
        complete: () => undefined,
      },
    );
  });
  let finished: Study;
  try {
    finished = await waitForStudy(first.id, 'SUCCEEDED');
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
  } finally {
    await ws.dispose();
  }
  expect(finished.progress).toBe(1);
  // 4 IMP + 16 baselines + 2 pre-training IMP + 4 transfers + 4 adversarial + 4 task transfers
  expect(finished.runs.totalCount).toBe(34);
  expect(finished.cost.runs).toBe(34);
  expect(finished.cost.reusedRuns).toBe(0);
  expect(finished.cost.trainingSteps).toBeGreaterThan(0);
  expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', runsDone: 34, runsTotal: 34 });

  const s = (await study(first.id, REPORT)) as unknown as {
    report: {
      tickets: Array<
        Record<string, Stat | null> & { task: { id: string }; baselineSparsity: number; curve: unknown[] }
      >;
      pretrainingTransfer: Array<{
        sparsity: number;
        cells: Array<{ target: { id: string }; score: number; n: number }>;
        averageRelative: number;
      }>;
      adversarial: Array<{ standard: Stat; adversarial: Stat }>;
      findings: Array<{ key: string; holds: boolean | null; evidence: string }>;
      transfer: { cells: Array<{ source: { id: string }; target: { id: string } }> };
      overlap: { tasks: Array<{ kind: string }>; values: number[][] };
      provenance: Array<{ backend: string; runs: number }>;
    };
  };
  const rep = s.report;
  expect(rep.tickets.map((t) => t.task.id)).toEqual([vqa, ve]);
  for (const t of rep.tickets) {
    expect(t.dense!.n).toBe(2);
    expect(t.curve).toHaveLength(2);
    expect([0.3, 0.6]).toContain(t.baselineSparsity);
    for (const k of ['imp', 'randomPruning', 'shuffledWeights', 'randomInit', 'oneShot']) expect(t[k]!.n).toBe(2);
  }
  expect(rep.pretrainingTransfer.map((r) => r.sparsity)).toEqual([0, 0.6]);
  expect(rep.pretrainingTransfer[0].averageRelative).toBe(1);
  expect(rep.pretrainingTransfer[1].cells.map((c) => c.n)).toEqual([2, 2]);
  expect(rep.adversarial).toHaveLength(2);
  for (const a of rep.adversarial) expect([a.standard.n, a.adversarial.n]).toEqual([2, 2]);
  expect(rep.findings.map((f) => f.key)).toEqual([
    'RELAXED_TICKETS',
    'STRICT_TICKETS',
    'IMP_BEATS_RANDOM',
    'PRETRAINING_TICKET_TRANSFERS',
    'ADVERSARIAL_HELPS',
  ]);
  for (const f of rep.findings) expect(typeof f.holds).toBe('boolean');
  // VQA and SNLI_VE tickets on both tasks; the pre-training ticket on both and on PRETRAIN itself
  expect(rep.transfer.cells).toHaveLength(7);
  expect(rep.overlap.tasks.map((t) => t.kind)).toEqual(['VQA', 'SNLI_VE', 'PRETRAIN']);
  expect(rep.overlap.values[0][0]).toBe(1);
  expect(rep.overlap.values[0][1]).toBe(rep.overlap.values[1][0]);
  expect(rep.provenance.reduce((a, p) => a + p.runs, 0)).toBe(34);

  // The report's means are the listed evaluations', to the last digit.
  const listed = await server.gql<{
    study: {
      runs: {
        edges: Array<{
          node: {
            evaluations: Array<{
              task: { id: string };
              ticket: { id: string } | null;
              weightInit: string;
              trainingMode: string;
              score: number;
              run: { id: string; kind: string; params: Record<string, unknown> };
            }>;
          };
        }>;
      };
    };
  }>(
    `query($id: ID!) { study(id: $id) { runs(first: 100) { edges { node { evaluations { task { id } ticket { id } weightInit trainingMode score run { id kind params } } } } } } }`,
    { id: first.id },
  );
  const evals = listed.data!.study.runs.edges.flatMap((e) => e.node.evaluations);
  const mean = (xs: number[]) => [...xs].sort((a, b) => a - b).reduce((a, b) => a + b, 0) / xs.length;
  for (const t of rep.tickets) {
    const dense = evals.filter(
      (e) => e.task.id === t.task.id && e.ticket === null && e.run.kind === 'PRUNE' && e.weightInit === 'PRETRAINED',
    );
    expect(dense).toHaveLength(2);
    expect(t.dense!.mean).toBe(mean(dense.map((e) => e.score)));
    const shuffled = evals.filter((e) => e.task.id === t.task.id && e.weightInit === 'SHUFFLED');
    expect(t.shuffledWeights!.mean).toBe(mean(shuffled.map((e) => e.score)));
    expect(t.shuffledWeights!.relative).toBe(t.shuffledWeights!.mean / t.dense!.mean);
  }

  // The same request again: the same study, nothing new scheduled.
  const runsBefore = await withDb(server.databaseUrl, async (db) =>
    Number((await db.query('SELECT count(*) FROM run')).rows[0].count),
  );
  const again = await start('smoke one');
  expect(again.id).toBe(first.id);
  const runsAfter = await withDb(server.databaseUrl, async (db) =>
    Number((await db.query('SELECT count(*) FROM run')).rows[0].count),
  );
  expect(runsAfter).toBe(runsBefore);

  // Another study asking for the same runs computes nothing: every run is reused.
  const second = await start('smoke two');
  expect(second.id).not.toBe(first.id);
  const secondDone = await waitForStudy(second.id, 'SUCCEEDED', 60_000);
  expect(secondDone.cost).toMatchObject({ runs: 34, reusedRuns: 34, trainingSteps: 0, computeSeconds: 0 });
  expect(
    await withDb(server.databaseUrl, async (db) => Number((await db.query('SELECT count(*) FROM run')).rows[0].count)),
  ).toBe(runsBefore);

  // Exports
  const json = (await (await fetch(`${server.baseUrl}/export/studies/${first.id}/report.json`)).json()) as {
    tickets: Array<{ dense: Stat }>;
    findings: unknown[];
    cost: { runs: number };
  };
  expect(json.tickets[0].dense.mean).toBe(rep.tickets[0].dense!.mean);
  expect(json.findings).toHaveLength(5);
  expect(json.cost.runs).toBe(34);
  const csv = await (await fetch(`${server.baseUrl}/export/studies/${first.id}/report.csv`)).text();
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toBe('table,task,source,sparsity,column,mean,std,n,ci95,relative');
  for (const table of ['tickets', 'curve', 'pretrainingTransfer', 'adversarial', 'transfer'])
    expect(lines.some((l) => l.startsWith(`${table},`))).toBe(true);
  const missing = await fetch(`${server.baseUrl}/export/studies/00000000-0000-0000-0000-000000000000/report.json`);
  expect(missing.status).toBe(404);
});

test('cancelStudy cancels it and its unfinished runs; a finished study cannot be cancelled', async () => {
  const s = await start('to cancel', ', stepsPerLevel: 400, force: true');
  const r = await server.gql<{ cancelStudy: { id: string; status: string } }>(
    `mutation($id: ID!) { cancelStudy(id: $id) { id status } }`,
    { id: s.id },
  );
  expect(r.data?.cancelStudy.status).toBe('CANCELLED');
  const open = await withDb(server.databaseUrl, async (db) =>
    Number(
      (
        await db.query(
          `SELECT count(*) FROM study_step st JOIN run r ON r.id = st.run_id WHERE st.study_id = $1 AND r.status IN ('QUEUED','RUNNING')`,
          [s.id],
        )
      ).rows[0].count,
    ),
  );
  expect(open).toBe(0);
  const again = await server.gql(`mutation($id: ID!) { cancelStudy(id: $id) { id status } }`, { id: s.id });
  expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  const none = await server.gql(`{ study(id: "nope") { id } }`);
  expect(none.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
});
