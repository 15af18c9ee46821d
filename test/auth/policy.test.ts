/**
 * The scope policy, the depth/cost measure and the auth configuration, without a server:
 * the built schema's Mutation fields are all in the policy, and the numbers are the ones the
 * documented rules give.
 */
import { getHeapStatistics } from 'v8';
import 'reflect-metadata';
import { buildSchema, getIntrospectionQuery, getOperationAST, parse, type GraphQLSchema } from 'graphql';
import { ConfigError, isLoopback, loadConfig } from '../../src/config';
import { measureOperation } from '../../src/auth/limits';
import { MUTATION_SCOPES, requiredScope } from '../../src/auth/scopes';
import { schemaSDL } from '../../src/app/schema';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = buildSchema(await schemaSDL());
});

const scopeOf = (doc: string) => {
  const d = parse(doc);
  return requiredScope(d, getOperationAST(d)!);
};
const size = (doc: string, variables: Record<string, unknown> = {}) => {
  const d = parse(doc);
  return measureOperation(schema, d, getOperationAST(d)!, variables, 10);
};

test('every Mutation field of the schema has an explicit scope; runs need run, imports admin', () => {
  const fields = Object.keys(schema.getMutationType()!.getFields());
  expect(fields.length).toBeGreaterThanOrEqual(6);
  expect(fields.filter((f) => !(f in MUTATION_SCOPES))).toEqual([]);
  for (const f of ['pretrainModel', 'startPruning', 'evaluate', 'runTransfer', 'cancelRun', 'retryRun'])
    expect(MUTATION_SCOPES[f]).toBe('run');
  for (const f of ['importModel', 'importTask']) expect(MUTATION_SCOPES[f]).toBe('admin');
});

test('an operation needs the highest scope of its root fields, through fragments; unknown mutations need admin', () => {
  expect(scopeOf('{ health runs { totalCount } }')).toEqual({ scope: 'read', field: null });
  expect(scopeOf('subscription { runEvents { runId } }')).toEqual({ scope: 'read', field: null });
  expect(scopeOf('mutation { __typename }')).toEqual({ scope: 'read', field: null });
  expect(scopeOf('mutation { a: cancelRun(id: "x") { id } }')).toEqual({ scope: 'run', field: 'cancelRun' });
  expect(scopeOf('mutation { cancelRun(id: "x") { id } ... on Mutation { importModel { id } } }')).toEqual({
    scope: 'admin',
    field: 'importModel',
  });
  expect(
    scopeOf('mutation { ...F } fragment F on Mutation { ...G } fragment G on Mutation { retryRun(id: "x") { id } }'),
  ).toEqual({ scope: 'run', field: 'retryRun' });
  expect(scopeOf('mutation { frobnicate }')).toEqual({ scope: 'admin', field: 'frobnicate' }); // default deny
  expect(scopeOf('mutation { ...F } fragment F on Mutation { ...F }')).toEqual({ scope: 'read', field: null }); // a cycle ends
});

test('cost counts each field once per object it resolves on; `first` (clamped to 100, default 20) sizes the edges, other lists 10', () => {
  const q = '{ tickets(first: 3) { totalCount edges { node { id evaluations { id } } } } }';
  // tickets 1 + totalCount 1 + edges 1 + node 3 + id 3 + evaluations 3 + evaluations.id 3×10
  expect(size(q)).toEqual({ depth: 5, cost: 42, truncated: false });
  const v = 'query($n: Int) { tickets(first: $n) { totalCount edges { node { id evaluations { id } } } } }';
  expect(size(v, { n: 100 }).cost).toBe(3 + 3 * 100 + 1000);
  expect(size(v, {}).cost).toBe(3 + 3 * 20 + 200);
  expect(size(v, { n: 100000 }).cost).toBe(size(v, { n: 100 }).cost);
  // Fragments and aliases count like the fields they stand for; __typename and introspection do not.
  expect(
    size(
      '{ a: tickets(first: 3) { ...E } b: tickets(first: 3) { ...E __typename } } fragment E on TicketConnection { totalCount edges { node { id evaluations { id } } } }',
    ).cost,
  ).toBe(84);
  expect(size(getIntrospectionQuery())).toEqual({ depth: 0, cost: 0, truncated: false });
});

test('a fragment fan-out stops the walk (counted as too costly) instead of taking exponential time', () => {
  const defs = Array.from(
    { length: 30 },
    (_, i) => `fragment F${i} on Query { ${i === 29 ? 'health' : `...F${i + 1} a${i}: health`} }`,
  );
  const fan = Array.from(
    { length: 30 },
    (_, i) => `fragment G${i} on Query { ${i === 29 ? 'health' : `...G${i + 1} ...G${i + 1}`} }`,
  );
  expect(size(`{ ...F0 } ${defs.join(' ')}`).truncated).toBe(false);
  const t0 = Date.now();
  expect(size(`{ ...G0 } ${fan.join(' ')}`).truncated).toBe(true);
  expect(Date.now() - t0).toBeLessThan(2000);
});

test('auth mode: off on loopback unless required; always required elsewhere, where off is refused', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
    expect(isLoopback(h)).toBe(true);
  for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.org', '128.0.0.1'])
    expect(isLoopback(h)).toBe(false);
  expect(loadConfig({}).auth).toMatchObject({ mode: 'off', recheckMs: 5000 });
  expect(loadConfig({ TICKETLAB_AUTH: 'required' }).auth.mode).toBe('required');
  expect(loadConfig({ HOST: '0.0.0.0' }).auth).toMatchObject({
    mode: 'required',
    reason: 'HOST 0.0.0.0 is not a loopback address',
  });
  expect(loadConfig({ HOST: '0.0.0.0', TICKETLAB_AUTH: 'required' }).auth.mode).toBe('required');
  expect(() => loadConfig({ HOST: '0.0.0.0', TICKETLAB_AUTH: 'off' })).toThrow(ConfigError);
  expect(() => loadConfig({ TICKETLAB_AUTH: 'maybe' })).toThrow(/TICKETLAB_AUTH must be required or off/);
});

test('limits: documented defaults, overridable, validated', () => {
  // The heap budget is half of V8's heap limit, and the operations in flight in all the headroom ÷ 32 MB.
  const heapLimitMb = Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
  const heap = {
    heapBudgetMb: Math.floor(heapLimitMb / 2),
    concurrentTotal: Math.floor((heapLimitMb - Math.floor(heapLimitMb / 2)) / 32),
  };
  expect(loadConfig({}).limits).toEqual({
    maxDepth: 12,
    maxCost: 20000,
    listSize: 10,
    bodyBytes: 1048576,
    wsMessageBytes: 1048576,
    subscriptionsPerConnection: 20,
    maxTokens: 5000,
    maxRootFields: 20,
    dbFieldCost: 50,
    concurrentPerCaller: 8,
    queuedPerCaller: 64,
    sqlStatements: 500,
    ...heap,
  });
  const c = loadConfig({
    TICKETLAB_MAX_DEPTH: '8',
    TICKETLAB_MAX_COST: '500',
    TICKETLAB_LIST_COST: '4',
    TICKETLAB_MAX_BODY_BYTES: '2048',
    TICKETLAB_MAX_WS_MESSAGE_BYTES: '4096',
    TICKETLAB_MAX_SUBSCRIPTIONS: '3',
    TICKETLAB_MAX_TOKENS: '900',
    TICKETLAB_MAX_ROOT_FIELDS: '5',
    TICKETLAB_DB_FIELD_COST: '7',
    TICKETLAB_MAX_SQL_STATEMENTS: '40',
    TICKETLAB_HEAP_BUDGET_MB: '600',
    TICKETLAB_OP_HEAP_MB: '100',
  });
  expect(c.limits).toEqual({
    maxDepth: 8,
    maxCost: 500,
    listSize: 4,
    bodyBytes: 2048,
    wsMessageBytes: 4096,
    subscriptionsPerConnection: 3,
    maxTokens: 900,
    maxRootFields: 5,
    dbFieldCost: 7,
    concurrentPerCaller: 8,
    queuedPerCaller: 64,
    sqlStatements: 40,
    heapBudgetMb: 600,
    concurrentTotal: Math.floor((heapLimitMb - 600) / 100),
  });
  expect(loadConfig({ TICKETLAB_MAX_CONCURRENT_TOTAL: '3' }).limits.concurrentTotal).toBe(3);
  expect(() => loadConfig({ TICKETLAB_HEAP_BUDGET_MB: '0' })).toThrow(/TICKETLAB_HEAP_BUDGET_MB must be an integer/);
  expect(() => loadConfig({ TICKETLAB_MAX_DEPTH: '0' })).toThrow(/TICKETLAB_MAX_DEPTH must be an integer in 1\.\.1000/);
  expect(() => loadConfig({ TICKETLAB_MAX_COST: 'lots' })).toThrow(ConfigError);
});
