/**
 * The bad-input suite against the real server process: malformed documents, wrong variable
 * types, unknown enum values, NaN/negative/huge numbers, 1 MB strings, deep nesting, unknown ids
 * (queries, mutations, export routes), hostile safetensors through importModel and dataset rows
 * with missing fields and broken or hostile dataset files through importTask. Every case must get a clear error — a GraphQL error with
 * extensions.code, or a JSON HTTP error for the export routes — never a 500 or a stack trace, and
 * the server must answer `{ health }` after each one.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startServer, type TestServer } from '../helpers/server';
import { IMPORT_CONFIG, importsOf, tinyWeights, writeDataset } from '../import/fixtures';
import { HOSTILE_DATASETS, hostileCheckpoints, ROWS_MISSING_FIELDS } from './hostile';

let server: TestServer;

interface Case {
  name: string;
  /** sends the request; `export` answers are JSON `{ error, message }`, the others GraphQL. */
  send(): Promise<Response>;
  /** acceptable codes (extensions.code, or `error` of an export route). */
  codes: string[];
  /** the message must match. */
  message?: RegExp;
  export?: boolean;
}

const cases: Case[] = [];
const post =
  (body: unknown, headers: Record<string, string> = {}) =>
  () =>
    fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
const gql = (
  name: string,
  query: string,
  variables: Record<string, unknown> | undefined,
  codes: string[],
  message?: RegExp,
) => cases.push({ name, send: post({ query, variables }), codes, message });
const V = ['GRAPHQL_VALIDATION_FAILED'];
const P = ['GRAPHQL_PARSE_FAILED'];
const B = ['BAD_USER_INPUT'];
const R = ['BAD_REQUEST'];
const NF = ['NOT_FOUND'];
/** Codes of the query limits (depth, cost, body size), where the server enforces them. */
const LIMITS = ['QUERY_TOO_DEEP', 'QUERY_TOO_COSTLY', 'PAYLOAD_TOO_LARGE'];
const uuid = randomUUID();

// --- malformed documents and requests
gql('unclosed selection', '{ health', undefined, P);
gql('garbage document', '}}}{{{', undefined, P);
gql('unknown field', '{ nope }', undefined, V);
gql('field without its required argument', '{ run { id } }', undefined, V);
gql('scalar with a selection set', '{ health { x } }', undefined, V);
gql('object without a selection set', '{ models }', undefined, V);
gql('two anonymous operations', '{ health } { health }', undefined, V);
cases.push({
  name: 'operationName that does not exist',
  send: post({ query: 'query A { health }', operationName: 'B' }),
  codes: ['OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST', 'BAD_USER_INPUT'],
});
cases.push({ name: 'empty query', send: post({ query: '' }), codes: R });
cases.push({ name: 'no query at all', send: post({}), codes: R });
cases.push({ name: 'query is a number', send: post({ query: 42 }), codes: R });
cases.push({ name: 'variables is a string', send: post({ query: '{ health }', variables: 'x' }), codes: R });
cases.push({ name: 'body is not JSON', send: post('{"query": "{ health }"'), codes: R });
cases.push({ name: 'body is a JSON string', send: post('"{ health }"'), codes: R });
cases.push({ name: 'batched array body', send: post([{ query: '{ health }' }, { query: '{ health }' }]), codes: R });
cases.push({
  name: 'text/plain body (CSRF guard)',
  send: post('{ health }', { 'content-type': 'text/plain' }),
  codes: R,
});
cases.push({
  name: 'mutation over GET',
  send: () =>
    fetch(`${server.graphqlUrl}?query=${encodeURIComponent('mutation { cancelRun(id: "x") { id } }')}`, {
      headers: { 'apollo-require-preflight': '1' },
    }),
  codes: R.concat(['METHOD_NOT_ALLOWED']),
});
// --- wrong variable types
gql('ID given an object', 'query($id: ID!) { run(id: $id) { id } }', { id: { a: 1 } }, B);
gql('required variable missing', 'query($id: ID!) { run(id: $id) { id } }', {}, B);
gql('required variable null', 'query($id: ID!) { run(id: $id) { id } }', { id: null }, B);
gql('Int given a string', 'query($n: Int) { runs(first: $n) { totalCount } }', { n: 'ten' }, B);
gql('Int given a fraction', 'query($n: Int) { runs(first: $n) { totalCount } }', { n: 1.5 }, B);
gql('Int beyond 32 bits', 'query($n: Int) { runs(first: $n) { totalCount } }', { n: 2 ** 40 }, B);
gql(
  'Float given a string',
  'query($m: ID!, $s: Float!) { transferMatrix(modelId: $m, sparsity: $s) { sparsity } }',
  { m: uuid, s: 'NaN' },
  B,
);
gql(
  'list given a scalar',
  'mutation($i: PruningInput!) { startPruning(input: $i) { id } }',
  { i: { modelId: uuid, taskId: uuid, sparsities: 'half' } },
  B,
);
gql(
  'input object with an unknown field',
  'mutation($i: PruningInput!) { startPruning(input: $i) { id } }',
  { i: { modelId: uuid, taskId: uuid, evil: true } },
  B,
);
gql('input object given a list', 'mutation($i: EvaluateInput!) { evaluate(input: $i) { id } }', { i: [1, 2] }, B);
gql('variable of an undeclared type', 'query($x: Nope) { health }', { x: 1 }, V);
gql('variable type mismatch in the document', 'query($n: String) { runs(first: $n) { totalCount } }', { n: '1' }, V);
// --- unknown enum values
gql(
  'unknown enum literal',
  `mutation { startPruning(input: { modelId: "${uuid}", taskId: "${uuid}", method: MAGIC }) { id } }`,
  undefined,
  V,
);
gql(
  'unknown enum in variables',
  'mutation($i: PruningInput!) { startPruning(input: $i) { id } }',
  { i: { modelId: uuid, taskId: uuid, method: 'MAGIC' } },
  B,
);
gql(
  'enum given as a string literal',
  `mutation { startPruning(input: { modelId: "${uuid}", taskId: "${uuid}", method: "IMP" }) { id } }`,
  undefined,
  V,
);
gql(
  'lower-case enum value',
  'query($m: ID!, $t: ID!, $w: WeightInit) { sparsityCurve(modelId: $m, taskId: $t, weightInit: $w) { sparsity } }',
  { m: uuid, t: uuid, w: 'pretrained' },
  B,
);
gql(
  'unknown filter enum',
  'query($f: RunFilter) { runs(filter: $f) { totalCount } }',
  { f: { status: 'EXPLODED' } },
  B,
);
// --- NaN, negative and huge numbers
gql('NaN literal', 'query { transferMatrix(modelId: "x", sparsity: NaN) { sparsity } }', undefined, V.concat(P));
gql(
  'Infinity literal',
  'query { transferMatrix(modelId: "x", sparsity: Infinity) { sparsity } }',
  undefined,
  V.concat(P),
);
gql(
  'Float 1e400 (overflows to Infinity)',
  'query { transferMatrix(modelId: "x", sparsity: 1e400) { sparsity } }',
  undefined,
  V.concat(B),
);
gql('first: -1', '{ runs(first: -1) { totalCount } }', undefined, B);
gql('first: 1000000', '{ runs(first: 1000000) { totalCount } }', undefined, B);
gql('first: 0 on tickets', '{ tickets(first: 0) { totalCount } }', undefined, B.concat(['OK']));
gql(
  'negative threshold',
  `{ winningTickets(modelId: "${uuid}", taskId: "${uuid}", threshold: -1) { id } }`,
  undefined,
  B.concat(NF),
);
gql('sparsity 1e308', `{ transferMatrix(modelId: "${uuid}", sparsity: 1e308) { sparsity } }`, undefined, B.concat(NF));
gql(
  'negative sparsity in a schedule',
  'mutation($i: PruningInput!) { startPruning(input: $i) { id } }',
  { i: { modelId: uuid, taskId: uuid, sparsities: [-0.5] } },
  B.concat(NF),
);
gql(
  'negative steps',
  'mutation($i: PretrainInput!) { pretrainModel(input: $i) { id } }',
  { i: { name: 'neg', steps: -1 } },
  B,
);
gql(
  'huge steps',
  'mutation($i: PretrainInput!) { pretrainModel(input: $i) { id } }',
  { i: { name: 'huge', steps: 2 ** 31 - 1 } },
  B,
);
gql(
  'huge config',
  'mutation($i: PretrainInput!) { pretrainModel(input: $i) { id } }',
  { i: { name: 'huge-config', config: { layers: 1000, hidden: 100000, heads: 1 } } },
  B,
);
gql(
  'zero heads',
  'mutation($i: PretrainInput!) { pretrainModel(input: $i) { id } }',
  { i: { name: 'zero', config: { heads: 0 } } },
  B,
);
gql(
  'learning rate 1e30',
  'mutation($i: PretrainInput!) { pretrainModel(input: $i) { id } }',
  { i: { name: 'lr', lr: 1e30 } },
  B,
);
gql(
  'negative dropout',
  'mutation($i: PretrainInput!) { pretrainModel(input: $i) { id } }',
  { i: { name: 'dropout', config: { dropout: -0.5 } } },
  B,
);
gql(
  'negative seed',
  'mutation($i: PretrainInput!) { pretrainModel(input: $i) { id } }',
  { i: { name: 'seed', seed: -3 } },
  B,
);
gql(
  'importModel: negative config field',
  'mutation($i: ImportModelInput!) { importModel(input: $i) { id } }',
  { i: { name: 'neg', path: 'good.safetensors', config: { ...IMPORT_CONFIG, layers: -1 } } },
  B,
);
// --- 1 MB strings
const mb = 'x'.repeat(1024 * 1024);
gql(
  '1 MB model name (over the body limit)',
  'mutation($i: PretrainInput!) { pretrainModel(input: $i) { id } }',
  { i: { name: mb } },
  B.concat(R, LIMITS),
);
gql(
  '0.9 MB model name',
  'mutation($i: PretrainInput!) { pretrainModel(input: $i) { id } }',
  { i: { name: mb.slice(0, 900_000) } },
  B,
);
gql('0.9 MB id', 'query($id: ID!) { run(id: $id) { id } }', { id: mb.slice(0, 900_000) }, NF);
gql(
  '0.9 MB import path',
  'mutation($i: ImportModelInput!) { importModel(input: $i) { id } }',
  { i: { name: 'p', path: mb.slice(0, 900_000) } },
  B,
);
gql('0.9 MB cursor', 'query($a: String) { runs(after: $a) { totalCount } }', { a: mb.slice(0, 900_000) }, B);
gql('0.9 MB operation name', `query ${'Q'.repeat(900_000)} { health }`, undefined, B.concat(R, V, ['OK']));
// --- deep nesting
const nestSel = (depth: number) =>
  `{ runs { edges { node { ${'children { '.repeat(depth)}id${' }'.repeat(depth)} } } } }`;
gql('selection 200 levels deep', nestSel(200), undefined, B.concat(V, LIMITS, ['OK']));
gql('braces 10000 levels deep', `{ health ${'{ a '.repeat(10_000)}${'}'.repeat(10_000)} }`, undefined, P.concat(V));
gql(
  'list literal 10000 levels deep',
  `{ run(id: ${'['.repeat(10_000)}1${']'.repeat(10_000)}) { id } }`,
  undefined,
  P.concat(V),
);
cases.push({
  name: 'variables 10000 levels deep',
  send: post(
    `{"query": "mutation($i: PruningInput!) { startPruning(input: $i) { id } }", "variables": {"i": ${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}`,
  ),
  codes: B.concat(R),
});
gql(
  '50000 aliases of one field',
  `{ ${Array.from({ length: 50_000 }, (_, i) => `a${i}: health`).join(' ')} }`,
  undefined,
  B.concat(V, R, LIMITS, ['OK']),
);
gql(
  '5000 aliases of a list',
  `{ ${Array.from({ length: 5000 }, (_, i) => `a${i}: runs(first: 100) { edges { node { id } } }`).join(' ')} }`,
  undefined,
  B.concat(V, R, LIMITS, ['OK']),
);
// --- unknown ids
for (const [q, arg] of [
  ['model', 'id'],
  ['task', 'id'],
  ['ticket', 'id'],
  ['run', 'id'],
  ['evaluation', 'id'],
] as const) {
  gql(`${q}(${arg}: random uuid)`, `query($id: ID!) { ${q}(${arg}: $id) { id } }`, { id: uuid }, NF);
  gql(`${q}(${arg}: not a uuid)`, `query($id: ID!) { ${q}(${arg}: $id) { id } }`, { id: 'nope' }, NF);
}
gql('maskOverlap of unknown tickets', `{ maskOverlap(a: "${uuid}", b: "nope") }`, undefined, NF);
gql(
  'sparsityCurve of an unknown model',
  `{ sparsityCurve(modelId: "${uuid}", taskId: "${uuid}") { sparsity } }`,
  undefined,
  NF.concat(B),
);
gql('cancelRun of an unknown run', `mutation { cancelRun(id: "${uuid}") { id } }`, undefined, NF);
gql('retryRun of a non-uuid', 'mutation { retryRun(id: "../../etc") { id } }', undefined, NF);
gql(
  'startPruning on an unknown model',
  'mutation($i: PruningInput!) { startPruning(input: $i) { id } }',
  { i: { modelId: uuid, taskId: uuid } },
  NF,
);
gql(
  'evaluate with an unknown ticket',
  'mutation($i: EvaluateInput!) { evaluate(input: $i) { id } }',
  { i: { modelId: uuid, taskId: uuid, ticketId: 'x' } },
  NF,
);
gql(
  'runTransfer with unknown ids',
  'mutation($i: TransferInput!) { runTransfer(input: $i) { id } }',
  { i: { modelId: uuid, ticketIds: [uuid], taskIds: ['nope'] } },
  NF.concat(B),
);
const exp = (name: string, url: string, codes: string[]) =>
  cases.push({ name, export: true, codes, send: () => fetch(`${server.baseUrl}${url}`) });
exp('export: mask of a random uuid', `/export/tickets/${uuid}/mask.safetensors`, NF);
exp('export: mask of a non-uuid', '/export/tickets/nope/mask.safetensors', NF);
exp('export: mask of an encoded path', '/export/tickets/..%2F..%2Fetc%2Fpasswd/mask.safetensors', NF);
exp('export: metrics of a random uuid', `/export/runs/${uuid}/metrics.csv`, NF);
exp('export: metrics with an unknown parameter', `/export/runs/${uuid}/metrics.csv?evil=1`, B);
exp('export: evaluations filtered by a bad id', '/export/evaluations.csv?modelId=nope', B.concat(NF));
exp('export: evaluations with an unknown enum', '/export/evaluations.csv?weightInit=MAGIC', B);
exp('export: evaluations with dense=maybe', '/export/evaluations.csv?dense=maybe', B);
exp('export: evaluations with a repeated parameter', `/export/evaluations.csv?modelId=${uuid}&modelId=${uuid}`, B);

beforeAll(async () => {
  server = await startServer({ env: { TICKETLAB_WORKER: '0' } });
  const imports = importsOf(server.home);
  // --- hostile safetensors through importModel
  for (const [i, [name, bytes]] of hostileCheckpoints(tinyWeights()).entries()) {
    const file = `hostile-${i}.safetensors`;
    if (bytes === 'dir') fs.mkdirSync(path.join(imports, file));
    else fs.writeFileSync(path.join(imports, file), bytes);
    gql(
      `importModel: ${name}`,
      'mutation($i: ImportModelInput!) { importModel(input: $i) { id } }',
      { i: { name: `hostile-${i}`, path: file, config: IMPORT_CONFIG } },
      B,
      /^path: /,
    );
  }
  // --- dataset rows with missing fields through importTask
  for (const c of ROWS_MISSING_FIELDS) {
    const dir = `missing-${c.kind}`;
    writeDataset(server.home, dir, { kind: c.kind, ...c.manifest }, { train: [c.row] });
    gql(
      `importTask ${c.kind}: row without ${c.field}`,
      'mutation($i: ImportTaskInput!) { importTask(input: $i) { id } }',
      { i: { name: dir, kind: c.kind, path: dir } },
      B,
      new RegExp(`train\\.jsonl line 1: .*field "${c.field}" missing`),
    );
  }
  // --- broken and hostile dataset directories through importTask
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.jsonl'), '{"image": "img0", "hypothesis": "secret", "label": 0}\n');
  cleanup.push(() => fs.rmSync(outside, { recursive: true, force: true }));
  for (const [i, h] of HOSTILE_DATASETS.entries()) {
    const dir = `hostile-data-${i}`;
    writeDataset(
      server.home,
      dir,
      { kind: 'SNLI_VE' },
      {
        train: [{ image: 'img0', hypothesis: 'the cube is red', label: 0 }],
        test: [{ image: 'img1', hypothesis: 'the cube is red', label: 1 }],
      },
      h.format,
    );
    h.spoil(path.join(importsOf(server.home), dir), outside);
    gql(
      `importTask: ${h.name}`,
      'mutation($i: ImportTaskInput!) { importTask(input: $i) { id } }',
      { i: { name: dir, kind: 'SNLI_VE', path: dir } },
      B,
      h.message,
    );
  }
}, 90_000);

const cleanup: Array<() => void> = [];

afterAll(async () => {
  await server?.stop();
  for (const c of cleanup) c();
});

const STACK = /\n\s+at |node_modules|\.ts:\d+|\.js:\d+|stacktrace/i;

test('every bad input gets a clear error, never a 500 or a stack trace, and the server keeps answering', async () => {
  const failures: string[] = [];
  const seen: Record<string, number> = {};
  for (const c of cases) {
    let why = '';
    let res: Response | null = null;
    let text = '';
    try {
      res = await c.send();
      text = await res.text();
    } catch (e) {
      why = `request failed: ${String(e)}`;
    }
    if (res && !why) {
      let body: {
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
        error?: string;
        message?: string;
        data?: unknown;
      } | null = null;
      try {
        body = JSON.parse(text);
      } catch {
        why = `HTTP ${res.status}, body is not JSON: ${text.slice(0, 120)}`;
      }
      if (body) {
        const code = c.export
          ? body.error
          : (body.errors?.[0]?.extensions?.code ?? (body.errors === undefined && res.ok ? 'OK' : undefined));
        const message = c.export ? body.message : body.errors?.[0]?.message;
        seen[code ?? 'none'] = (seen[code ?? 'none'] ?? 0) + 1;
        if (res.status >= 500) why = `HTTP ${res.status}`;
        else if (!code || !c.codes.includes(code))
          why = `code ${code}, expected ${c.codes.join('/')} (HTTP ${res.status}: ${(message ?? text).slice(0, 160)})`;
        else if (!message && code !== 'OK') why = 'no message';
        else if (c.message && !c.message.test(message ?? ''))
          why = `message ${JSON.stringify(message?.slice(0, 200))} does not match ${c.message}`;
        else if (STACK.test(text)) why = `stack trace in the body: ${text.slice(0, 200)}`;
      }
    }
    const health = await server
      .gql<{ health: string }>('{ health }')
      .catch((e: unknown) => ({ data: null, errors: [{ message: String(e) }] }));
    if (health.data?.health !== 'ok') why += ` | server stopped answering { health }: ${JSON.stringify(health.errors)}`;
    if (why) failures.push(`${c.name}: ${why}`);
  }
  console.log(
    `bad-input suite: ${cases.length} cases, ${cases.length - failures.length} answered as expected; codes seen ${JSON.stringify(seen)}`,
  );
  expect(failures).toEqual([]);
  expect(server.output()).not.toMatch(/internal error/);
  expect(cases.length).toBeGreaterThanOrEqual(130);
}, 300_000);
