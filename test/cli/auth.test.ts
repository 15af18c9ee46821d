/**
 * The client with API tokens (TICKETLAB_AUTH=required): --token / TICKETLAB_TOKEN go as
 * `Authorization: Bearer` over HTTP and in the graphql-ws connection_init payload; a missing,
 * wrong or too weak token is one line and exit code 4.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startServer, type TestServer } from '../helpers/server';
import { cli, EMPTY_HOME, PROGRESS_LINE } from './run-cli';

let server: TestServer;
let url: string;
const tokens: Record<string, string> = {};
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-cli-auth-'));

beforeAll(async () => {
  server = await startServer({ env: { TICKETLAB_AUTH: 'required' } });
  url = server.graphqlUrl;
  for (const scope of ['read', 'run']) {
    const r = await cli(['token', 'create', '--name', `cli-${scope}`, '--scope', scope], {
      TICKETLAB_HOME: server.home,
    });
    expect(r.code).toBe(0);
    tokens[scope] = r.stdout.trim().split('\n').pop()!;
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(EMPTY_HOME, { recursive: true, force: true });
});

test('no token or a wrong one: one line, exit 4; a read token reads', async () => {
  for (const extra of [[], ['--token', 'tl_wrong']]) {
    const r = await cli(['status', '--url', url, ...extra]);
    expect(r.code).toBe(4);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^ticketlab status: .*\(UNAUTHENTICATED\)\n$/);
  }
  const ok = await cli(['status', '--url', url], { TICKETLAB_TOKEN: tokens.read });
  expect(ok.code).toBe(0);
  expect(ok.stdout).toContain('health ok');
});

test('a read token cannot start runs; a run token prunes and watches over the WebSocket', async () => {
  const weak = await cli([
    'prune',
    '--url',
    url,
    '--token',
    tokens.read,
    '--model',
    'mini-uniter',
    '--task',
    'vqa',
    '--sparsities',
    '0.5',
    '--steps',
    '10',
  ]);
  expect(weak.code).toBe(4);
  expect(weak.stderr).toMatch(/\(FORBIDDEN\)\n$/);
  const r = await cli([
    'prune',
    '--url',
    url,
    '--token',
    tokens.run,
    '--model',
    'mini-uniter',
    '--task',
    'vqa',
    '--sparsities',
    '0.5',
    '--steps',
    '30',
    '--watch',
  ]);
  expect(r.stderr).toMatch(/^PRUNE run \S+ QUEUED/);
  expect(r.code).toBe(0);
  const id = r.stdout.split('\n')[0];
  expect(r.stdout).toContain(`run ${id} SUCCEEDED`);
  expect(r.stdout.split('\n').some((l) => PROGRESS_LINE.test(l))).toBe(true);

  const file = path.join(out, 'metrics.csv');
  const denied = await cli(['export', 'metrics', id, '--url', url, '-o', file]);
  expect(denied.code).toBe(4);
  expect(denied.stderr).toMatch(/\(UNAUTHENTICATED\)\n$/);
  expect(fs.existsSync(file)).toBe(false);
  const allowed = await cli(['export', 'metrics', id, '--url', url, '-o', file], { TICKETLAB_TOKEN: tokens.read });
  expect(allowed.code).toBe(0);
  expect(fs.readFileSync(file, 'utf8').split('\r\n')[0]).toBe('step,name,value');
}, 90_000);
