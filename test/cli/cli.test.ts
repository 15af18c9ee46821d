/**
 * The client commands against the REAL server (child process, its own cloned database): a tiny model
 * pre-trained through the API, `prune` starting an IMP run, `watch` following it to SUCCEEDED
 * with progress lines, `status`, `runs`, `evaluate`, `export`, and one-line errors with their
 * exit codes for bad arguments, unknown ids and an unreachable server.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeSafetensors } from '../../src/core/io/safetensors';
import { pretrainTinyModel, waitForRun } from '../helpers/runs';
import { freePort, startServer, type TestServer } from '../helpers/server';
import { cli, EMPTY_HOME, PROGRESS_LINE, type CliResult } from './run-cli';

let server: TestServer;
let url: string;
let impRun: string;
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-cli-out-'));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  server = await startServer();
  url = server.graphqlUrl;
  await pretrainTinyModel(server, 'tiny-cli');
}, 120_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(EMPTY_HOME, { recursive: true, force: true });
});

/** Exactly one line on stderr, no stack trace. */
function oneLineError(r: CliResult): string {
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
  return r.stderr.trim();
}

test('status: health, compute and queue; the URL comes from --url or the runtime file', async () => {
  const r = await cli(['status', '--url', url]);
  expect(r.code).toBe(0);
  const compute = (await server.gql<{ compute: { backend: string } }>('{ compute { backend } }')).data!.compute;
  expect(r.stdout).toContain(`server    ${url}  health ok`);
  expect(r.stdout).toMatch(new RegExp(`^compute   ${compute.backend} .*gpu no$`, 'm'));
  expect(r.stdout).toMatch(/^queue {5}\d+ queued, \d+ running$/m);
  // no --url: the server running on TICKETLAB_HOME is found through its runtime file
  const viaHome = await cli(['status'], { TICKETLAB_HOME: server.home });
  expect(viaHome.code).toBe(0);
  expect(viaHome.stdout).toContain(`server    ${url}  health ok`);
  const json = JSON.parse((await cli(['status', '--json', '--url', url])).stdout) as {
    health: string;
    compute: { backend: string };
  };
  expect(json).toMatchObject({ health: 'ok', compute: { backend: compute.backend } });
});

test('prune prints the run id of an IMP run with the given schedule; watch follows it to SUCCEEDED and exits 0', async () => {
  const started = await cli([
    'prune',
    '--url',
    url,
    '--model',
    'tiny-cli',
    '--task',
    'snli-ve',
    '--sparsities',
    '0.2,0.4,0.6',
    '--steps',
    '80',
  ]);
  expect(started.code).toBe(0);
  impRun = started.stdout.trim();
  expect(impRun).toMatch(UUID);
  expect(started.stderr).toMatch(
    new RegExp(`^PRUNE run ${impRun} QUEUED: IMP of tiny-cli on synthetic-snli-ve, sparsities 0.2, 0.4, 0.6`),
  );
  const run = await server.gql<{ run: { kind: string; params: Record<string, unknown> } }>(
    'query($id: ID!) { run(id: $id) { kind params } }',
    { id: impRun },
  );
  expect(run.data!.run.kind).toBe('PRUNE');
  expect(run.data!.run.params).toMatchObject({ sparsities: [0.2, 0.4, 0.6], stepsPerLevel: 80 });

  const w = await cli(['watch', impRun, '--url', url]);
  console.log(`ticketlab watch: ${w.ms} ms, output:\n${w.stdout}`);
  expect(w.stderr).toBe('');
  expect(w.code).toBe(0);
  const lines = w.stdout.trimEnd().split('\n');
  expect(lines[0]).toBe(`watching PRUNE run ${impRun}`);
  const progress = lines.map((l) => PROGRESS_LINE.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  expect(progress.length).toBeGreaterThanOrEqual(2);
  const steps = progress.map((m) => Number(m[2]));
  for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThanOrEqual(steps[i - 1]);
  for (const m of progress) expect(Number(m[3])).toBe(320); // 4 levels × 80 steps
  expect(lines.some((l) => /level \d\/3: fine-tune at sparsity/.test(l))).toBe(true);
  // non-TTY: at most one progress line per second (plus status changes)
  expect(progress.length).toBeLessThanOrEqual(Math.ceil(w.ms / 1000) + 2);
  expect(w.stdout).toMatch(/^SUCCEEDED\s+\[#{24}\]\s+100%\s+step 320\/320/m);
  expect(w.stdout).toContain(`run ${impRun} SUCCEEDED`);
  expect(w.stdout).toMatch(/^tickets \(4\):$/m);
  expect((await waitForRun(server, impRun, ['SUCCEEDED'])).step).toBe(320);
}, 120_000);

test('prune --watch on a finished identical request says so and exits 0 at once', async () => {
  const r = await cli([
    'prune',
    '--url',
    url,
    '--model',
    'tiny-cli',
    '--task',
    'SNLI_VE',
    '--sparsities',
    '0.2,0.4,0.6',
    '--steps',
    '80',
    '--watch',
  ]);
  expect(r.code).toBe(0);
  expect(r.stdout.split('\n')[0]).toBe(impRun);
  expect(r.stderr).toContain('an identical run already exists, SUCCEEDED; --force starts a new one');
  expect(r.stdout).toContain(`run ${impRun} SUCCEEDED`);
});

test('watch exits 2 when the run is cancelled', async () => {
  const s = await cli([
    'prune',
    '--url',
    url,
    '--model',
    'tiny-cli',
    '--task',
    'gqa',
    '--levels',
    '3',
    '--rate',
    '0.5',
    '--steps',
    '2000',
    '--seed',
    '9',
  ]);
  expect(s.code).toBe(0);
  const id = s.stdout.trim();
  const watching = cli(['watch', id, '--url', url]);
  await waitForRun(server, id, ['RUNNING'], 60_000, (r) => r.step > 5);
  await server.gql('mutation($id: ID!) { cancelRun(id: $id) { id } }', { id });
  const w = await watching;
  expect(w.code).toBe(2);
  expect(w.stdout).toContain(`run ${id} CANCELLED`);
}, 120_000);

test('runs: a table of recent runs, filters, JSON', async () => {
  const r = await cli(['runs', '--url', url]);
  expect(r.code).toBe(0);
  expect(r.stdout.split('\n')[0]).toMatch(/^ID\s+KIND\s+STATUS\s+DONE\s+STEPS\s+CREATED\s+DETAIL$/);
  expect(r.stdout).toMatch(new RegExp(`^${impRun}  PRUNE     SUCCEEDED  100%  320/320 `, 'm'));
  const pre = await cli(['runs', '--url', url, '--kind', 'pretrain', '--json']);
  const rows = JSON.parse(pre.stdout) as Array<{ kind: string; status: string }>;
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ kind: 'PRETRAIN', status: 'SUCCEEDED' });
});

test('evaluate a ticket by id (its model implied) with --watch', async () => {
  const t = await server.gql<{ run: { tickets: Array<{ id: string; level: number }> } }>(
    'query($id: ID!) { run(id: $id) { tickets { id level } } }',
    { id: impRun },
  );
  const ticket = t.data!.run.tickets.find((x) => x.level === 2)!.id;
  const r = await cli([
    'evaluate',
    '--url',
    url,
    '--ticket',
    ticket,
    '--task',
    'synthetic-gqa',
    '--steps',
    '20',
    '--seeds',
    '1,2',
    '--watch',
  ]);
  expect(r.code).toBe(0);
  const id = r.stdout.split('\n')[0];
  expect(id).toMatch(UUID);
  expect(r.stdout).toMatch(/^evaluations \(2\):$/m);
  const e = await server.gql<{
    run: { kind: string; evaluations: Array<{ seed: number; steps: number; ticket: { id: string } }> };
  }>('query($id: ID!) { run(id: $id) { kind evaluations { seed steps ticket { id } } } }', { id });
  expect(e.data!.run.kind).toBe('EVALUATE');
  expect(e.data!.run.evaluations.map((x) => [x.seed, x.steps, x.ticket.id]).sort()).toEqual([
    [1, 20, ticket],
    [2, 20, ticket],
  ]);
}, 90_000);

test('export mask, metrics and evaluations equal what the server serves', async () => {
  const t = await server.gql<{
    run: { tickets: Array<{ id: string; level: number; maskBits: number; layerSparsity: Array<{ pruned: number }> }> };
  }>('query($id: ID!) { run(id: $id) { tickets { id level maskBits layerSparsity { pruned } } } }', { id: impRun });
  const ticket = t.data!.run.tickets.find((x) => x.level === 3)!;
  const file = path.join(out, 'm.safetensors');
  const m = await cli(['export', 'mask', ticket.id, '-o', file, '--url', url]);
  expect(m.code).toBe(0);
  const bytes = fs.readFileSync(file);
  expect(m.stderr).toBe(`wrote ${bytes.length} bytes to ${file}\n`);
  const served = Buffer.from(
    await (await fetch(`${server.baseUrl}/export/tickets/${ticket.id}/mask.safetensors`)).arrayBuffer(),
  );
  expect(bytes.equals(served)).toBe(true);
  let zeros = 0;
  for (const tensor of decodeSafetensors(bytes).tensors.values())
    for (const b of tensor.data as Uint8Array) zeros += b === 0 ? 1 : 0;
  expect(zeros).toBe(ticket.layerSparsity.reduce((a, l) => a + l.pruned, 0));

  const metrics = await cli(['export', 'metrics', impRun, '--name', 'loss', '--url', url]);
  expect(metrics.code).toBe(0);
  expect(metrics.stdout).toBe(
    await (await fetch(`${server.baseUrl}/export/runs/${impRun}/metrics.csv?name=loss`)).text(),
  );
  expect(metrics.stdout.split('\r\n')[0]).toBe('step,name,value');

  const ev = await cli(['export', 'evaluations', '--model', 'tiny-cli', '--task', 'snli-ve', '--url', url]);
  expect(ev.code).toBe(0);
  const ids = (
    await server.gql<{ models: Array<{ id: string; name: string }>; tasks: Array<{ id: string; kind: string }> }>(
      '{ models { id name } tasks { id kind } }',
    )
  ).data!;
  const n = await server.gql<{ evaluations: { totalCount: number } }>(
    'query($m: ID!, $t: ID!) { evaluations(filter: { modelId: $m, taskId: $t }) { totalCount } }',
    {
      m: ids.models.find((x) => x.name === 'tiny-cli')!.id,
      t: ids.tasks.find((x) => x.kind === 'SNLI_VE')!.id,
    },
  );
  expect(n.data!.evaluations.totalCount).toBeGreaterThanOrEqual(4);
  expect(ev.stdout.trimEnd().split('\n')).toHaveLength(1 + n.data!.evaluations.totalCount);

  const w = path.join(out, 'w.safetensors');
  const weights = await cli(['export', 'weights', 'tiny-cli', '-o', w, '--url', url]);
  expect(weights.code).toBe(0);
  for (const id of ['7b0c0000-0000-4000-8000-000000000000', 'x']) {
    const res = await fetch(`${server.baseUrl}/export/models/${id}/weights.safetensors`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'NOT_FOUND', message: `model "${id}" not found` });
  }
  const names = [...decodeSafetensors(bytes).tensors.keys()];
  const wt = decodeSafetensors(fs.readFileSync(w)).tensors;
  for (const name of names) expect(wt.get(name)?.shape).toEqual(decodeSafetensors(bytes).tensors.get(name)!.shape);
}, 60_000);

test('bad arguments, unknown ids, server errors and an unreachable server: one line and a documented exit code', async () => {
  const cases: Array<[string[], number, RegExp]> = [
    [['prune', '--model', 'tiny-cli'], 64, /^ticketlab prune: --task is required/],
    [['prune', '--model', 'nope', '--task', 'vqa'], 64, /^ticketlab prune: no model "nope" \(known: .*tiny-cli/],
    [['prune', '--model', 'tiny-cli', '--task', 'vqa', '--sparsities', '0.2,x'], 64, /comma-separated list of numbers/],
    [['prune', '--model', 'tiny-cli', '--task', 'vqa', '--frobnicate'], 64, /Unknown option '--frobnicate'/],
    [['runs', '--status', 'done'], 64, /--status must be one of QUEUED, RUNNING/],
    [['watch'], 64, /^ticketlab watch: which run\?/],
    [['export', 'everything'], 64, /unknown export "everything"/],
    [['export', 'weights', 'no-such-model'], 64, /no model "no-such-model"/],
    [['prune', '--model', 'tiny-cli', '--task', 'vqa', '--sparsities', '0.6,0.2'], 3, /\(BAD_USER_INPUT\)$/],
    [['watch', '7b0c0000-0000-4000-8000-000000000000'], 3, /not found \(NOT_FOUND\)$/],
    [
      ['export', 'mask', '7b0c0000-0000-4000-8000-000000000000', '-o', path.join(out, 'x')],
      3,
      /ticket "7b0c0000-0000-4000-8000-000000000000" not found \(NOT_FOUND\)$/,
    ],
    [
      ['export', 'metrics', impRun, '-o', '/nonexistent-dir/x.csv'],
      73,
      /^ticketlab export: cannot write \/nonexistent-dir\/x.csv: ENOENT$/,
    ],
  ];
  for (const [args, code, message] of cases) {
    const r = await cli([...args, '--url', url]);
    expect({ args, code: r.code }).toEqual({ args, code });
    expect(oneLineError(r)).toMatch(message);
    expect(r.stdout).toBe('');
  }
  const port = await freePort();
  for (const args of [
    ['status'],
    ['runs'],
    ['watch', impRun],
    ['prune', '--model', 'm', '--task', 't'],
    ['export', 'metrics', impRun],
  ]) {
    const r = await cli([...args, '--url', `http://127.0.0.1:${port}/graphql`]);
    expect({ args, code: r.code }).toEqual({ args, code: 69 });
    expect(oneLineError(r)).toMatch(
      new RegExp(`cannot reach the server at http://127.0.0.1:${port}/graphql: connection refused`),
    );
  }
  const help = await cli(['help']);
  for (const c of ['status', 'runs', 'prune', 'evaluate', 'watch', 'export'])
    expect(help.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
}, 60_000);
