/**
 * Runs end to end over HTTP and WebSocket: the real server (in-process worker) on its own
 * database (cloned from the migrated template), a tiny model pre-trained through pretrainModel, IMP tickets with exact
 * sparsities and nested masks, live events and their latency, duplicate requests, cancel and
 * retry, a transfer fan-out with its dense baseline, and input validation.
 */
import { withDb } from '../helpers/seed';
import { startServer, type TestServer } from '../helpers/server';
import {
  maskBits,
  percentile,
  pretrainTinyModel,
  subscribeRunEvents,
  taskIdOf,
  waitForRun,
  type EventLog,
} from '../helpers/runs';

let server: TestServer;
let events: EventLog;
let modelId: string;
let snli: string;
let gqa: string;
let impRun: string;

beforeAll(async () => {
  server = await startServer({ env: { TICKETLAB_HEARTBEAT_S: '1', TICKETLAB_STALE_S: '30' } });
  events = await subscribeRunEvents(server);
  modelId = await pretrainTinyModel(server, 'tiny-runs');
  snli = await taskIdOf(server, 'SNLI_VE');
  gqa = await taskIdOf(server, 'GQA');
}, 120_000);

afterAll(async () => {
  await events?.close();
  await server?.stop();
});

const START = `mutation($i: PruningInput!) { startPruning(input: $i) { id status } }`;

async function startPruning(input: Record<string, unknown>): Promise<{ id: string; status: string }> {
  const r = await server.gql<{ startPruning: { id: string; status: string } }>(START, { i: input });
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.startPruning;
}

interface StoredTicket {
  id: string;
  level: number;
  sparsity: number;
  mask_bits: string;
  mask: Buffer;
  parent_id: string | null;
}

test('the pre-trained model is registered with its counts', async () => {
  const r = await server.gql<{
    model: { source: string; parameterCount: number; prunableParameterCount: number; config: { hidden: number } };
  }>(`query($id: ID!) { model(id: $id) { source parameterCount prunableParameterCount config { hidden } } }`, {
    id: modelId,
  });
  expect(r.data!.model).toMatchObject({ source: 'PRETRAINED_BY_RUN', config: { hidden: 16 } });
  // 1 layer, hidden 16, intermediate 32: Q K V O (4·16·16) + intermediate and output (2·16·32) + pooler (16·16)
  expect(r.data!.model.prunableParameterCount).toBe(4 * 256 + 2 * 512 + 256);
});

test('an IMP run streams ordered events and stores exact, nested tickets', async () => {
  const sparsities = [0.2, 0.4, 0.6];
  const run = await startPruning({ modelId, taskId: snli, sparsities, stepsPerLevel: 40 });
  impRun = run.id;
  expect(run.status).toBe('QUEUED');
  const done = await waitForRun(server, run.id, ['SUCCEEDED'], 60_000);
  expect(done).toMatchObject({ step: 160, totalSteps: 160, attempts: 1 });
  // The final event is published right after the row changes: wait for it to arrive.
  await events.until(() => events.of(run.id).some((e) => e.status === 'SUCCEEDED'));

  // Events: QUEUED → RUNNING → progress → SUCCEEDED, in order.
  const ev = events.of(run.id);
  const statuses = ev.map((e) => e.status).filter((s, i, a) => i === 0 || a[i - 1] !== s);
  expect(statuses).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
  const progress = ev.filter((e) => e.metrics !== null);
  expect(progress.length).toBeGreaterThan(3);
  for (let i = 1; i < progress.length; i++) {
    expect(progress[i].step).toBeGreaterThanOrEqual(progress[i - 1].step);
    expect(progress[i].progress).toBeGreaterThanOrEqual(progress[i - 1].progress);
  }
  for (let i = 1; i < ev.length; i++) expect(Date.parse(ev[i].at)).toBeGreaterThanOrEqual(Date.parse(ev[i - 1].at));
  const phases = [...new Set(ev.map((e) => e.phase).filter((p): p is string => !!p))];
  expect(phases).toEqual([
    'level 0/3: fine-tune at sparsity 0',
    'level 1/3: fine-tune at sparsity 0.2',
    'level 2/3: fine-tune at sparsity 0.4',
    'level 3/3: fine-tune at sparsity 0.6',
  ]);
  expect(ev[ev.length - 1].status).toBe('SUCCEEDED');

  // Latency from the worker's progress callback (event.at) to this subscriber.
  const lat = progress.map((e) => e.receivedAt - Date.parse(e.at));
  console.log(
    `runEvents latency over ${lat.length} progress events: p50 ${percentile(lat, 50)} ms, p99 ${percentile(lat, 99)} ms, max ${Math.max(...lat)} ms`,
  );
  expect(percentile(lat, 99)).toBeLessThanOrEqual(1000);

  // Tickets over GraphQL: one per level, exact sparsities round(s·N)/N.
  const r = await server.gql<{
    run: {
      tickets: Array<{ level: number; sparsity: number; maskBits: number; method: string }>;
      evaluations: Array<{ score: number; seed: number; steps: number }>;
    };
  }>(
    `query($id: ID!) { run(id: $id) { tickets { level sparsity maskBits method } evaluations { score seed steps } } }`,
    { id: run.id },
  );
  const tickets = r.data!.run.tickets;
  const N = tickets[0].maskBits;
  expect(tickets.map((t) => t.level)).toEqual([0, 1, 2, 3]);
  expect(tickets.map((t) => t.sparsity)).toEqual([0, ...sparsities.map((s) => Math.round(s * N) / N)]);
  expect(r.data!.run.evaluations).toHaveLength(4);
  for (const e of r.data!.run.evaluations) expect(e).toMatchObject({ seed: 1, steps: 40 });

  // Masks: nested (m_{k+1} ⊆ m_k), counts exact, parents chained.
  const stored = await withDb(
    server.databaseUrl,
    async (db) =>
      (
        await db.query(
          'SELECT id, level, sparsity, mask_bits, mask, parent_id FROM ticket WHERE run_id = $1 ORDER BY level',
          [run.id],
        )
      ).rows as StoredTicket[],
  );
  const masks = stored.map((t) => maskBits(t.mask, Number(t.mask_bits)));
  masks.forEach((m, k) =>
    expect(m.reduce((a, b) => a + b, 0)).toBe(N - Math.round((k === 0 ? 0 : sparsities[k - 1]) * N)),
  );
  for (let k = 1; k < masks.length; k++) {
    let outside = 0;
    masks[k].forEach((bit, i) => (outside += bit && !masks[k - 1][i] ? 1 : 0));
    expect(outside).toBe(0);
    expect(stored[k].parent_id).toBe(stored[k - 1].id);
  }

  // Metric history, downsampled.
  const m = await server.gql<{
    run: { metrics: Array<{ name: string; points: Array<{ step: number; value: number }> }> };
  }>(
    `query($id: ID!) { run(id: $id) { metrics(names: ["loss", "val/score", "sparsity"], points: 3) { name points { step value } } } }`,
    { id: run.id },
  );
  const byName = Object.fromEntries(m.data!.run.metrics.map((s) => [s.name, s.points]));
  expect(Object.keys(byName).sort()).toEqual(['loss', 'sparsity', 'val/score']);
  for (const pts of Object.values(byName)) expect(pts.length).toBeLessThanOrEqual(3);
  expect(byName.sparsity[byName.sparsity.length - 1]).toEqual({ step: 160, value: Math.round(0.6 * N) / N });
}, 90_000);

test('ONE_SHOT and RANDOM runs store one exact ticket and evaluation per sparsity, relative to the dense score', async () => {
  for (const method of ['ONE_SHOT', 'RANDOM']) {
    const run = await startPruning({ modelId, taskId: snli, method, sparsities: [0.5, 0.3], stepsPerLevel: 40 });
    await waitForRun(server, run.id, ['SUCCEEDED'], 60_000);
    const r = await server.gql<{
      run: {
        tickets: Array<{
          level: number;
          sparsity: number;
          maskBits: number;
          method: string;
          evaluations: Array<{ relativeScore: number | null; steps: number }>;
        }>;
      };
    }>(
      `query($id: ID!) { run(id: $id) { tickets { level sparsity maskBits method evaluations { relativeScore steps } } } }`,
      { id: run.id },
    );
    const tickets = r.data!.run.tickets;
    const N = tickets[0].maskBits;
    expect(tickets.map((t) => [t.method, t.level, t.sparsity])).toEqual([
      [method, 0, Math.round(0.3 * N) / N],
      [method, 0, Math.round(0.5 * N) / N],
    ]);
    for (const t of tickets) {
      expect(t.evaluations).toHaveLength(1);
      expect(t.evaluations[0].steps).toBe(40);
      expect(typeof t.evaluations[0].relativeScore).toBe('number'); // the IMP run's level 0 is the dense score at 40 steps
    }
  }
}, 60_000);

test('an identical request returns the same run; force starts a new one', async () => {
  const again = await startPruning({
    modelId,
    taskId: snli.toUpperCase(),
    sparsities: [0.2, 0.4, 0.6],
    stepsPerLevel: 40,
    seed: 1,
    method: 'IMP',
    rewindStep: 0,
  });
  expect(again.id).toBe(impRun);
  expect(again.status).toBe('SUCCEEDED');
  const forced = await startPruning({
    modelId,
    taskId: snli,
    sparsities: [0.2, 0.4, 0.6],
    stepsPerLevel: 40,
    force: true,
  });
  expect(forced.id).not.toBe(impRun);
  const other = await startPruning({ modelId, taskId: snli, sparsities: [0.2, 0.4, 0.6], stepsPerLevel: 40, seed: 2 });
  // A baseline's sparsities are independent: listed in another order, the request is the same.
  const oneShot = await startPruning({
    modelId,
    taskId: snli,
    method: 'ONE_SHOT',
    sparsities: [0.3, 0.5],
    stepsPerLevel: 40,
  });
  expect(oneShot.status).toBe('SUCCEEDED'); // stored by the ONE_SHOT test above with [0.5, 0.3]
  expect(other.id).not.toBe(impRun);
  for (const id of [forced.id, other.id]) await server.gql(`mutation($id: ID!) { cancelRun(id: $id) { id } }`, { id });
});

test('cancel stops a running run within 5 s and keeps its finished levels; retry resumes', async () => {
  const run = await startPruning({ modelId, taskId: snli, sparsities: [0.3, 0.6, 0.8], stepsPerLevel: 250, seed: 7 });
  await waitForRun(server, run.id, ['RUNNING'], 60_000, (r) => r.step > 250 + 30); // inside level 1
  const cancelledAt = Date.now();
  const c = await server.gql<{ cancelRun: { status: string } }>(
    `mutation($id: ID!) { cancelRun(id: $id) { status } }`,
    { id: run.id },
  );
  expect(c.data!.cancelRun.status).toBe('CANCELLED');
  const marker = `run ${run.id}: stopped`;
  while (!server.output().includes(marker)) {
    if (Date.now() - cancelledAt > 5000) throw new Error('the worker did not stop the run within 5 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  const stopMs = Date.now() - cancelledAt;
  console.log(`cancel: worker stopped ${stopMs} ms after cancelRun`);
  expect(stopMs).toBeLessThanOrEqual(5000);
  const count = () =>
    withDb(server.databaseUrl, async (db) => ({
      tickets: (await db.query('SELECT level FROM ticket WHERE run_id = $1 ORDER BY level', [run.id])).rows.map(
        (x) => x.level as number,
      ),
      evaluations: Number(
        (await db.query('SELECT count(*) FROM evaluation WHERE run_id = $1', [run.id])).rows[0].count,
      ),
    }));
  const kept = await count();
  expect(kept.tickets.length).toBeGreaterThanOrEqual(1);
  expect(kept.evaluations).toBe(kept.tickets.length);
  await new Promise((r) => setTimeout(r, 1500));
  expect(await count()).toEqual(kept); // nothing more written after the cancel
  expect((await waitForRun(server, run.id, ['CANCELLED'])).status).toBe('CANCELLED');
  const again = await server.gql<{ cancelRun: unknown }>(`mutation($id: ID!) { cancelRun(id: $id) { status } }`, {
    id: run.id,
  });
  expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');

  // Retry: resumes at the first unfinished level, with no duplicate.
  const retried = await server.gql<{ retryRun: { status: string } }>(
    `mutation($id: ID!) { retryRun(id: $id) { status } }`,
    { id: run.id },
  );
  expect(retried.data!.retryRun.status).toBe('QUEUED');
  const done = await waitForRun(server, run.id, ['SUCCEEDED'], 90_000);
  expect(done.attempts).toBe(2);
  expect(server.output()).toContain(`run ${run.id}: resuming IMP at level ${kept.tickets.length} of 3`);
  const final = await count();
  expect(final.tickets).toEqual([0, 1, 2, 3]);
  expect(final.evaluations).toBe(4);
}, 120_000);

test('a transfer fans out into child runs and schedules the missing dense baseline', async () => {
  const t = await server.gql<{ run: { tickets: Array<{ id: string; level: number }> } }>(
    `query($id: ID!) { run(id: $id) { tickets { id level } } }`,
    { id: impRun },
  );
  const ticketIds = t.data!.run.tickets.filter((x) => x.level >= 2).map((x) => x.id);
  const TRANSFER = `mutation($i: TransferInput!) { runTransfer(input: $i) { id kind status children { id kind params } } }`;
  const r = await server.gql<{
    runTransfer: {
      id: string;
      kind: string;
      status: string;
      children: Array<{ id: string; kind: string; params: Record<string, unknown> }>;
    };
  }>(TRANSFER, { i: { modelId, ticketIds, taskIds: [gqa], steps: 20 } });
  const parent = r.data!.runTransfer;
  expect(parent.kind).toBe('TRANSFER');
  expect(parent.children).toHaveLength(3);
  const dense = parent.children.filter((c) => !('ticketId' in c.params));
  expect(dense).toHaveLength(1);
  expect(dense[0].params).toMatchObject({ modelId, taskId: gqa, steps: 20 });
  expect(
    parent.children
      .filter((c) => c.params.ticketId)
      .map((c) => c.params.ticketId)
      .sort(),
  ).toEqual([...ticketIds].sort());
  await waitForRun(server, parent.id, ['SUCCEEDED'], 90_000);
  const e = await server.gql<{
    evaluations: { edges: Array<{ node: { ticket: { id: string } | null; task: { kind: string }; steps: number } }> };
  }>(
    `query($m: ID!, $t: ID!) { evaluations(filter: { modelId: $m, taskId: $t }) { edges { node { ticket { id } task { kind } steps } } } }`,
    { m: modelId, t: gqa },
  );
  const nodes = e.data!.evaluations.edges.map((x) => x.node);
  expect(nodes).toHaveLength(3);
  expect(nodes.filter((n) => n.ticket === null)).toHaveLength(1);

  // The dense baseline is now stored: a second transfer to GQA schedules none.
  const level1 = t.data!.run.tickets.find((x) => x.level === 1)!.id;
  const r2 = await server.gql<{ runTransfer: { id: string; children: Array<{ params: Record<string, unknown> }> } }>(
    TRANSFER,
    { i: { modelId, ticketIds: [level1], taskIds: [gqa], steps: 20 } },
  );
  expect(r2.data!.runTransfer.children).toHaveLength(1);
  expect(r2.data!.runTransfer.children[0].params.ticketId).toBe(level1);
  await waitForRun(server, r2.data!.runTransfer.id, ['SUCCEEDED'], 60_000);
}, 150_000);

test('cancelling a transfer cancels its children; retrying it queues them again', async () => {
  const t = await server.gql<{ run: { tickets: Array<{ id: string }> } }>(
    `query($id: ID!) { run(id: $id) { tickets { id } } }`,
    { id: impRun },
  );
  const r = await server.gql<{ runTransfer: { id: string; children: Array<{ id: string }> } }>(
    `mutation($i: TransferInput!) { runTransfer(input: $i) { id children { id } } }`,
    { i: { modelId, ticketIds: [t.data!.run.tickets[3].id], taskIds: [gqa, snli], steps: 3000 } },
  );
  const parent = r.data!.runTransfer;
  expect(parent.children).toHaveLength(4); // no dense baseline at 3000 steps yet: one per task, plus the ticket on each
  const c = await server.gql<{ cancelRun: { status: string; children: Array<{ status: string }> } }>(
    `mutation($id: ID!) { cancelRun(id: $id) { status children { status } } }`,
    { id: parent.id },
  );
  expect(c.data!.cancelRun.status).toBe('CANCELLED');
  expect(c.data!.cancelRun.children.map((x) => x.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
  const again = await server.gql<{ retryRun: { status: string; children: Array<{ status: string }> } }>(
    `mutation($id: ID!) { retryRun(id: $id) { status children { status } } }`,
    { id: parent.id },
  );
  expect(again.data!.retryRun.status).toBe('RUNNING');
  expect(again.data!.retryRun.children.every((x) => ['QUEUED', 'RUNNING'].includes(x.status))).toBe(true);
  await server.gql(`mutation($id: ID!) { cancelRun(id: $id) { id } }`, { id: parent.id });
  expect((await waitForRun(server, parent.id, ['CANCELLED'])).status).toBe('CANCELLED');
}, 30_000);

test('a run that fails for good ends FAILED with the error message', async () => {
  // Both pass validation (the name is free); whichever finishes second cannot register the name.
  const PRE = `mutation($i: PretrainInput!) { pretrainModel(input: $i) { id } }`;
  const config = { layers: 1, hidden: 16, heads: 2, intermediate: 32, regionFeatureDim: 8, maxTextLength: 16 }; // too short for VCR (see below)
  const ids: string[] = [];
  for (const seed of [1, 2]) {
    const r = await server.gql<{ pretrainModel: { id: string } }>(PRE, {
      i: { name: 'twin', config, steps: 5, corpusSize: 100, seed },
    });
    ids.push(r.data!.pretrainModel.id);
  }
  const ends = await Promise.all(ids.map((id) => waitForRun(server, id, ['SUCCEEDED', 'FAILED'], 60_000)));
  expect(ends.map((e) => e.status).sort()).toEqual(['FAILED', 'SUCCEEDED']);
  expect(ends.find((e) => e.status === 'FAILED')!.error).toBe('a model named "twin" already exists');
}, 90_000);

test('bad inputs are refused with BAD_USER_INPUT naming the field, unknown ids with NOT_FOUND', async () => {
  const base = { modelId, taskId: snli };
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ...base, sparsities: [0.2, 1.5] }, 'sparsities[1]'],
    [{ ...base, sparsities: [0] }, 'sparsities[0]'],
    [{ ...base, sparsities: [0.5, 0.3] }, 'sparsities'],
    [{ ...base, stepsPerLevel: 0 }, 'stepsPerLevel'],
    [{ ...base, stepsPerLevel: 10_000_000 }, 'stepsPerLevel'],
    [{ ...base, stepsPerLevel: 10, rewindStep: 11 }, 'rewindStep'],
    [{ ...base, lr: -1 }, 'lr'],
    [{ ...base, seed: -3 }, 'seed'],
  ];
  for (const [input, field] of cases) {
    const r = await server.gql(START, { i: input });
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message.startsWith(`${field}:`)).toBe(true);
  }
  const missing = await server.gql(START, { i: { ...base, modelId: '00000000-0000-4000-8000-000000000000' } });
  expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  expect(missing.errors?.[0].message).toContain('modelId');
  const badTask = await server.gql(START, { i: { ...base, taskId: 'nope' } });
  expect(badTask.errors?.[0].extensions?.code).toBe('NOT_FOUND');

  const EVAL = `mutation($i: EvaluateInput!) { evaluate(input: $i) { id } }`;
  const seeds = await server.gql(EVAL, { i: { ...base, seeds: [1, 1] } });
  expect(seeds.errors?.[0].message.startsWith('seeds:')).toBe(true);
  const builtin = (
    await server.gql<{ models: Array<{ id: string; name: string }> }>('{ models { id name } }')
  ).data!.models.find((m) => m.name === 'mini-uniter');
  expect(builtin).toBeDefined();
  {
    const t = (
      await server.gql<{ run: { tickets: Array<{ id: string }> } }>(
        `query($id: ID!) { run(id: $id) { tickets { id } } }`,
        { id: impRun },
      )
    ).data!.run.tickets[1].id;
    const other = await server.gql(EVAL, { i: { modelId: builtin!.id, taskId: snli, ticketId: t } });
    expect(other.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(other.errors?.[0].message.startsWith('ticketId:')).toBe(true);
  }

  // A task kind the model cannot serve: 'twin' (above) has 16-token texts, VCR needs 22.
  const twin = (
    await server.gql<{ models: Array<{ id: string; name: string }> }>('{ models { id name } }')
  ).data!.models.find((m) => m.name === 'twin')!;
  const vcr = await server.gql(START, { i: { modelId: twin.id, taskId: await taskIdOf(server, 'VCR') } });
  expect(vcr.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(vcr.errors?.[0].message).toBe(
    'taskId: the model cannot serve task kind VCR: SyntheticVL: this task needs maxTextLength ≥ 22',
  );

  const PRE = `mutation($i: PretrainInput!) { pretrainModel(input: $i) { id } }`;
  const preCases: Array<[Record<string, unknown>, string]> = [
    [{ name: 'tiny-runs' }, 'name'],
    [{ name: 'x', config: { hidden: 30, heads: 4 } }, 'config'],
    [{ name: 'x', config: { vocabSize: 10 } }, 'config.vocabSize'],
    [{ name: 'x', steps: 0 }, 'steps'],
  ];
  for (const [input, field] of preCases) {
    const r = await server.gql(PRE, { i: input });
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message.startsWith(`${field}:`)).toBe(true);
  }
  const unknownEnum = await server.gql(START, { i: { ...base, method: 'MAGIC' } });
  expect(unknownEnum.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
});
