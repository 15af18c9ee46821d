/** Pure parts of the client: progress line and throttle, ETA, IMP schedule, name lookup, URLs. */
import { spawnSync } from 'child_process';
import { endpoint, normalizeUrl, parse } from '../../src/cli/client/args';
import { CliError } from '../../src/cli/client/errors';
import { pick } from '../../src/cli/client/lookup';
import {
  EtaEstimator,
  formatDuration,
  formatProgress,
  ProgressView,
  type ProgressState,
} from '../../src/cli/client/progress';
import { geometricSchedule } from '../../src/cli/client/prune';

const state = (over: Partial<ProgressState> = {}): ProgressState => ({
  status: 'RUNNING',
  step: 40,
  totalSteps: 160,
  progress: 0.25,
  phase: 'level 1/3: fine-tune at sparsity 0.2',
  loss: 0.69314,
  ...over,
});

test('a progress line shows status, bar, percent, step/total, loss, ETA and phase', () => {
  expect(formatProgress(state(), 75)).toBe(
    'RUNNING    [######------------------]   25%  step 40/160  loss 0.6931  ETA 1:15  level 1/3: fine-tune at sparsity 0.2',
  );
  expect(
    formatProgress(state({ status: 'QUEUED', step: 0, totalSteps: null, progress: 0, phase: null, loss: null }), null),
  ).toBe('QUEUED     [------------------------]    0%  step 0/?');
  expect(formatProgress(state(), 3725, { width: 40 })).toHaveLength(40);
  expect(formatDuration(3725)).toBe('1:02:05');
});

test('ETA from the progress rate since the first RUNNING sample', () => {
  const e = new EtaEstimator();
  expect(e.eta(state({ progress: 0.1 }), 0)).toBeNull();
  expect(e.eta(state({ progress: 0.3 }), 10_000)).toBeCloseTo(35, 6); // 0.2 per 10 s, 0.7 left
  expect(e.eta(state({ status: 'SUCCEEDED', progress: 1 }), 20_000)).toBeNull();
});

test('off a terminal: one line per interval, status changes at once, last state flushed at the end', () => {
  let t = 0;
  const lines: string[] = [];
  const view = new ProgressView({ write: (s: string) => lines.push(s), isTTY: false }, 1000, () => t);
  view.update(state({ step: 1 }));
  for (t = 100; t < 2500; t += 100) view.update(state({ step: t / 10 }));
  expect(lines.map((l) => /step (\d+)/.exec(l)![1])).toEqual(['1', '100', '200']);
  view.update(state({ status: 'SUCCEEDED', step: 160, progress: 1 }));
  view.end();
  expect(lines).toHaveLength(4);
  expect(lines[3]).toMatch(/^SUCCEEDED .*step 160\/160/);
  expect(lines.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
});

test('on a terminal: the line is redrawn in place with \\r and ends with a newline', () => {
  let t = 0;
  const out: string[] = [];
  const view = new ProgressView({ write: (s: string) => out.push(s), isTTY: true, columns: 60 }, 1000, () => t);
  view.update(state());
  t = 500;
  view.update(state({ step: 80, progress: 0.5 }));
  view.end();
  expect(out.slice(0, 2).every((s) => s.startsWith('\r') && s.endsWith('\x1b[K'))).toBe(true);
  expect(out[1].length).toBeLessThanOrEqual(1 + 59 + 3);
  expect(out[out.length - 1]).toBe('\n');
});

test('geometric IMP schedule', () => {
  expect(geometricSchedule(3, 0.2)).toEqual([0.2, 0.36, 0.488]);
});

test('models and tasks by id, name, kind; ambiguity and unknown names are errors', () => {
  const tasks = [
    { id: 'a1a1a1a1-0000-4000-8000-000000000001', name: 'synthetic-vqa', kind: 'VQA' },
    { id: 'a1a1a1a1-0000-4000-8000-000000000002', name: 'synthetic-snli-ve', kind: 'SNLI_VE' },
    { id: 'a1a1a1a1-0000-4000-8000-000000000003', name: 'my-vqa', kind: 'VQA' },
  ];
  expect(pick('task', 'synthetic-snli-ve', tasks).kind).toBe('SNLI_VE');
  expect(pick('task', 'snli-ve', tasks).name).toBe('synthetic-snli-ve');
  expect(pick('task', 'SNLI_VE', tasks).name).toBe('synthetic-snli-ve');
  expect(pick('task', tasks[2].id.toUpperCase(), tasks).name).toBe('my-vqa');
  expect(() => pick('task', 'vqa', tasks)).toThrow('task "vqa" is ambiguous: synthetic-vqa, my-vqa');
  expect(() => pick('task', 'nlvr2', tasks)).toThrow(CliError);
});

test('URLs: base URLs get /graphql, ws:// maps to http://; --url beats the environment', () => {
  expect(normalizeUrl('localhost:4000')).toBe('http://localhost:4000/graphql');
  expect(normalizeUrl('wss://lab.example/graphql')).toBe('https://lab.example/graphql');
  expect(() => normalizeUrl('ftp://x')).toThrow('--url must be http(s)://');
  const env = { TICKETLAB_URL: 'http://h:1', TICKETLAB_TOKEN: 'tok', TICKETLAB_HOME: '/nonexistent' };
  expect(endpoint(parse(['--url', 'http://x:2'], {}, 0), env)).toEqual({
    url: 'http://x:2/graphql',
    source: '--url',
    token: 'tok',
  });
  expect(endpoint(parse(['--token', 't2'], {}, 0), env)).toEqual({
    url: 'http://h:1/graphql',
    source: 'TICKETLAB_URL',
    token: 't2',
  });
  expect(endpoint(parse([], {}, 0), { TICKETLAB_HOME: '/nonexistent' }).url).toBe('http://127.0.0.1:4000/graphql');
});

test('loading every client command pulls in no tfjs, Apollo, TypeORM or pg', () => {
  const commands = require.resolve('../../src/cli/commands');
  const script = `const c = require(${JSON.stringify(commands)});
    for (const n of ['status', 'runs', 'prune', 'evaluate', 'watch', 'export']) if (!c.loadCommand(n)) throw new Error('missing ' + n);
    console.log(JSON.stringify(Object.keys(require.cache)));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const loaded = JSON.parse(r.stdout) as string[];
  expect(
    loaded.filter((f) => /node_modules\/(@tensorflow|@apollo|typeorm|pg|pg-boss|type-graphql|express)\//.test(f)),
  ).toEqual([]);
  expect(loaded.some((f) => f.includes('node_modules/graphql-ws/'))).toBe(true);
});
