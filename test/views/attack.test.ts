/**
 * ADVERSARIAL results of two attacks are never pooled: evaluations stored with the first defaults'
 * attack (as the migration labels them) and with the current one sit side by side; curves, winning
 * tickets and relative scores read the current attack's only, and every evaluation says its attack.
 */
import { ATTACK_LABEL, FIRST_ATTACK_LABEL } from '../../src/core/training/adversarial';
import { startServer, type TestServer } from '../helpers/server';
import { builtinTaskId, insertEvaluation, insertModel, insertTicket, withDb } from '../helpers/seed';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { TICKETLAB_WORKER: '0' } });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

test('curves, winning tickets and relative scores pool the current attack only; each evaluation names its attack', async () => {
  expect(ATTACK_LABEL).not.toBe(FIRST_ATTACK_LABEL);
  const { modelId, taskId, ticketId } = await withDb(server.databaseUrl, async (db) => {
    const modelId = await insertModel(db, 'attack-model', 20);
    const taskId = await builtinTaskId(db, 'GQA');
    const ticketId = await insertTicket(db, { modelId, taskId, sparsity: 0.5 });
    const adv = { modelId, taskId, trainingMode: 'ADVERSARIAL', steps: 100 };
    await insertEvaluation(db, { ...adv, seed: 1, score: 0.8 }); // dense, current attack
    await insertEvaluation(db, { ...adv, seed: 1, score: 0.2, attack: FIRST_ATTACK_LABEL }); // dense, first attack
    await insertEvaluation(db, { ...adv, ticketId, seed: 1, score: 0.4 });
    await insertEvaluation(db, { ...adv, ticketId, seed: 2, score: 0.1, attack: FIRST_ATTACK_LABEL });
    return { modelId, taskId, ticketId };
  });
  const r = await server.gql<{
    sparsityCurve: Array<{ sparsity: number; dense: boolean; score: number; n: number; relativeScore: number }>;
    ticket: { evaluations: Array<{ seed: number; attack: string | null; relativeScore: number | null }> };
  }>(
    `query($m: ID!, $t: ID!, $k: ID!) {
      sparsityCurve(modelId: $m, taskId: $t, method: IMP, trainingMode: ADVERSARIAL) { sparsity dense score n relativeScore }
      ticket(id: $k) { evaluations { seed attack relativeScore } } }`,
    { m: modelId, t: taskId, k: ticketId },
  );
  expect(r.errors).toBeUndefined();
  expect(r.data!.sparsityCurve.map((p) => [p.dense, p.score, p.n])).toEqual([
    [true, 0.8, 1],
    [false, 0.4, 1],
  ]);
  expect(r.data!.sparsityCurve[1].relativeScore).toBeCloseTo(0.5, 12);
  const ev = r.data!.ticket.evaluations.sort((a, b) => a.seed - b.seed);
  expect(ev.map((e) => e.attack)).toEqual([ATTACK_LABEL, FIRST_ATTACK_LABEL]);
  // each relative score divides by the dense mean of its own attack: 0.4 / 0.8 and 0.1 / 0.2
  expect(ev.map((e) => e.relativeScore)).toEqual([0.5, 0.5]);
});

test('an ADVERSARIAL request names the current attack in its params; a STANDARD one names none', async () => {
  const models = await server.gql<{ models: Array<{ id: string; name: string }> }>('{ models { id name } }');
  const modelId = models.data!.models.find((m) => m.name === 'mini-uniter')!.id;
  const taskId = await withDb(server.databaseUrl, (db) => builtinTaskId(db, 'GQA'));
  const start = (mode: string) =>
    server.gql<{ evaluate: { params: Record<string, unknown> } }>(
      `mutation($i: EvaluateInput!) { evaluate(input: $i) { params } }`,
      { i: { modelId, taskId, trainingMode: mode, steps: 5 } },
    );
  const adv = await start('ADVERSARIAL');
  expect(adv.errors).toBeUndefined();
  expect(adv.data!.evaluate.params.attack).toBe(ATTACK_LABEL);
  expect('attack' in (await start('STANDARD')).data!.evaluate.params).toBe(false);
});
