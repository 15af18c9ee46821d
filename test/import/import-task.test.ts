/**
 * importTask against the real server: a valid dataset in each region format is stored and listed;
 * bad rows are named (file, line, field, why); runs on imported tasks train on the stored rows
 * (an imported model, an EVALUATE and an IMP run), and a model that cannot serve one is refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { decodeSafetensors } from '../../src/core/io/safetensors';
import { startServer, type TestServer } from '../helpers/server';
import { waitForRun } from '../helpers/runs';
import { withDb } from '../helpers/seed';
import { tinyWeights, writeCheckpoint, writeDataset } from './fixtures';

let server: TestServer;

const IMPORT = `mutation($i: ImportTaskInput!) { importTask(input: $i) { id name kind metric builtIn trainSize valSize testSize params } }`;
type Imported = {
  importTask: {
    id: string;
    name: string;
    kind: string;
    metric: string;
    builtIn: boolean;
    trainSize: number;
    valSize: number;
    testSize: number;
    params: Record<string, unknown>;
  };
};
const importTask = (i: Record<string, unknown>) => server.gql<Imported>(IMPORT, { i });

const VQA_MANIFEST = { kind: 'VQA', answers: ['yes', 'no', 'red', 'two'] };
const vqaRow = (image: string, q = 'what colour is the cube', answers: unknown = ['red', 'red', 2]) => ({
  image,
  question: q,
  answers,
});

beforeAll(async () => {
  server = await startServer({ env: { TICKETLAB_HEARTBEAT_S: '0.5', TICKETLAB_STALE_S: '3' } });
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

test('a VQA dataset (regions.safetensors) is validated, normalised, stored and listed', async () => {
  writeDataset(server.home, 'vqa-ok', VQA_MANIFEST, {
    train: [
      vqaRow('img0'),
      vqaRow('img1', 'is there a red cube', ['yes']),
      vqaRow('img2', 'how many cubes are there', [3, 'two']),
    ],
    val: [vqaRow('img1')],
  });
  const r = await importTask({ name: 'vqa-imported', kind: 'VQA', path: 'vqa-ok' });
  expect(r.errors).toBeUndefined();
  const t = r.data!.importTask;
  expect([t.kind, t.metric, t.builtIn, t.trainSize, t.valSize, t.testSize]).toEqual([
    'VQA',
    'vqa_score',
    false,
    3,
    1,
    0,
  ]);
  expect(t.params).toMatchObject({
    source: 'IMPORTED',
    format: 'ticketlab-dataset-1',
    text: 'words',
    regionFeatureDim: 8,
    images: 3,
    mostRegions: 4,
  });
  const files = t.params.files as { annotations: string; regions: string };
  const lines = fs
    .readFileSync(path.join(server.home, 'artifacts', `${files.annotations}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines).toHaveLength(4);
  expect(lines[0]).toMatchObject({ split: 'train', image: 'img0', answers: [2, 2, 2] });
  expect(lines[2].answers).toEqual([3, 3]);
  expect(lines[0].question.every((x: unknown) => Number.isInteger(x))).toBe(true);
  const regions = decodeSafetensors(
    fs.readFileSync(path.join(server.home, 'artifacts', `${files.regions}.safetensors`)),
  );
  expect(regions.tensors.get('features')!.shape).toEqual([9, 8]);
  expect(regions.tensors.get('boxes')!.shape).toEqual([9, 7]);
  expect(JSON.parse(regions.metadata.images)).toEqual([
    ['img0', 0, 3],
    ['img1', 3, 2],
    ['img2', 5, 4],
  ]);
  const listed = await server.gql<{ tasks: Array<{ name: string; builtIn: boolean }> }>('{ tasks { name builtIn } }');
  expect(listed.data!.tasks.at(-1)).toEqual({ name: 'vqa-imported', builtIn: false });
});

test("a REFCOCO dataset with token ids and .npy regions; targets are checked against the image's regions", async () => {
  const manifest = { kind: 'REFCOCO', text: 'ids', vocabSize: 30 };
  writeDataset(
    server.home,
    'ref-npy',
    manifest,
    {
      train: [
        { image: 'img0', expression: [5, 6, 7], target: 2 },
        { image: 'img1', expression: [9], target: 1 },
      ],
      test: [
        { image: 'img2', expression: [5, 8], target: 3 },
        { image: 'img0', expression: [7], target: 0 },
      ],
    },
    'npy',
  );
  const r = await importTask({ name: 'ref-imported', kind: 'REFCOCO', path: 'ref-npy' });
  expect(r.errors).toBeUndefined();
  expect(r.data!.importTask.params).toMatchObject({ text: 'ids', vocabSize: 30, regionFeatureDim: 8, images: 3 });
  writeDataset(server.home, 'ref-bad', manifest, { train: [{ image: 'img1', expression: [5, 31], target: 2 }] }, 'npy');
  const bad = await importTask({ name: 'ref-bad', kind: 'REFCOCO', path: 'ref-bad' });
  expect(bad.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(bad.errors![0].message).toBe(
    'path: 1 bad row(s); first 1: train.jsonl line 1: field "expression" token [1] = 31 is not an integer id in 0..29; field "target" must be an integer in 0..1, got 2',
  );
});

test('bad rows are named: line, field and why; the first 10 and the count; nothing is stored', async () => {
  const rows: unknown[] = [
    vqaRow('img0'),
    { image: 'img0', answers: ['yes'] }, // line 2: question missing
    vqaRow('nope'), // line 3: unknown image
    vqaRow('img1', 'what colour is the giraffe'), // line 4: word not in vocabulary
    vqaRow('img1', 'what colour is the cube', ['purple']), // line 5: not an answer class
    vqaRow('img1', 'what colour is the cube', []), // line 6: no answers
  ];
  for (let i = 0; i < 12; i++) rows.push({ image: 'img2' }); // lines 7..18: question and answers missing
  const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n{"image": "img0", \n';
  writeDataset(server.home, 'vqa-bad', VQA_MANIFEST, { train: text });
  const before = fs.readdirSync(path.join(server.home, 'artifacts')).length;
  const r = await importTask({ name: 'vqa-bad', kind: 'VQA', path: 'vqa-bad' });
  expect(r.data).toBeNull();
  const msg = r.errors![0].message;
  expect(r.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(msg).toMatch(/^path: 18 bad row\(s\); first 10: /);
  expect(msg).toContain('train.jsonl line 2: field "question" missing');
  expect(msg).toContain('train.jsonl line 3: field "image" image "nope" has no region features');
  expect(msg).toContain('train.jsonl line 4: field "question" word(s) not in the built-in vocabulary: "giraffe"');
  expect(msg).toContain('train.jsonl line 5: field "answers[0]" answer "purple" is not in the dataset\'s answer list');
  expect(msg).toContain('train.jsonl line 6: field "answers" must list 1..10 annotator answers, got []');
  expect(msg).toContain('train.jsonl line 7: field "question" missing; field "answers" missing');
  expect(msg).not.toContain('line 19');
  expect(fs.readdirSync(path.join(server.home, 'artifacts')).length).toBe(before);
  const listed = await server.gql<{ tasks: Array<{ name: string }> }>('{ tasks { name } }');
  expect(listed.data!.tasks.map((t) => t.name)).not.toContain('vqa-bad');
});

test('manifest and kind problems are clear; a model that cannot serve an imported task is refused with why', async () => {
  writeDataset(
    server.home,
    'no-answers',
    { kind: 'GQA' },
    { train: [{ image: 'img0', question: 'is it red', answer: 'yes' }] },
  );
  const a = await importTask({ name: 'g', kind: 'GQA', path: 'no-answers' });
  expect(a.errors![0].message).toMatch(/^dataset\.json: answers \(the GQA answer classes/);
  const k = await importTask({ name: 'g', kind: 'SNLI_VE', path: 'no-answers' });
  expect(k.errors![0].message).toBe('dataset.json: kind is "GQA", the request says SNLI_VE');
  const models = await server.gql<{ models: Array<{ id: string }> }>('{ models { id } }');
  const tasks = await server.gql<{ tasks: Array<{ id: string; name: string }> }>('{ tasks { id name } }');
  const taskId = tasks.data!.tasks.find((t) => t.name === 'vqa-imported')!.id;
  // The shipped model's regions have 32 dimensions, the dataset's 8.
  const run = await server.gql(`mutation($i: PruningInput!) { startPruning(input: $i) { id } }`, {
    i: { modelId: models.data!.models[0].id, taskId },
  });
  expect(run.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(run.errors![0].message).toBe(
    'taskId: task "vqa-imported" has region features of dimension 8; the model\'s regionFeatureDim is 32',
  );
});

test('runs on imported tasks: an imported model is evaluated on imported VQA and pruned by IMP on imported REFCOCO', async () => {
  writeCheckpoint(server.home, 'm', tinyWeights());
  const m = await server.gql<{ importModel: { id: string } }>(
    `mutation { importModel(input: { name: "m", path: "m.safetensors", configPath: "m.config.json" }) { id } }`,
  );
  expect(m.errors).toBeUndefined();
  const modelId = m.data!.importModel.id;
  const tasks = await server.gql<{ tasks: Array<{ id: string; name: string }> }>('{ tasks { id name } }');
  const idOf = (n: string) => tasks.data!.tasks.find((t) => t.name === n)!.id;
  const ev = await server.gql<{ evaluate: { id: string } }>(
    `mutation($i: EvaluateInput!) { evaluate(input: $i) { id } }`,
    { i: { modelId, taskId: idOf('vqa-imported'), steps: 4, batchSize: 2 } },
  );
  expect(ev.errors).toBeUndefined();
  const pr = await server.gql<{ startPruning: { id: string } }>(
    `mutation($i: PruningInput!) { startPruning(input: $i) { id } }`,
    { i: { modelId, taskId: idOf('ref-imported'), sparsities: [0.5], stepsPerLevel: 3, batchSize: 2 } },
  );
  expect(pr.errors).toBeUndefined();
  await waitForRun(server, ev.data!.evaluate.id, ['SUCCEEDED'], 60_000);
  await waitForRun(server, pr.data!.startPruning.id, ['SUCCEEDED'], 60_000);
  const rows = await withDb(server.databaseUrl, async (db) => ({
    ev: (await db.query('SELECT metrics, score FROM evaluation WHERE run_id = $1', [ev.data!.evaluate.id])).rows,
    tickets: (
      await db.query('SELECT level, sparsity FROM ticket WHERE run_id = $1 ORDER BY level', [pr.data!.startPruning.id])
    ).rows,
    pe: (await db.query('SELECT metrics FROM evaluation WHERE run_id = $1', [pr.data!.startPruning.id])).rows,
  }));
  // VQA measured on the only held-out rows (val): one question, score in [0, 1].
  expect(rows.ev).toHaveLength(1);
  expect(Object.keys(rows.ev[0].metrics)).toEqual(['vqa_score']);
  expect(rows.ev[0].score).toBeGreaterThanOrEqual(0);
  expect(rows.ev[0].score).toBeLessThanOrEqual(1);
  expect(rows.tickets.map((t: { level: number }) => t.level)).toEqual([0, 1]);
  // Two REFCOCO test rows: accuracy is 0, 0.5 or 1.
  for (const e of rows.pe) expect([0, 0.5, 1]).toContain(e.metrics.accuracy);
}, 120_000);
