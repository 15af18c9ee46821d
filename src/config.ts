/**
 * Environment → one typed, validated configuration object (DESIGN §7 "Environment").
 * Everything else reads configuration from here, never from process.env directly.
 */
import * as path from 'path';
import { getHeapStatistics } from 'v8';

export type BackendChoice = 'tensorflow' | 'wasm' | 'cpu';

export interface Config {
  /** HTTP + WebSocket port (PORT, default 4000; 0 = any free port). */
  port: number;
  /** interface to bind (HOST, default 127.0.0.1). */
  host: string;
  /** external PostgreSQL; null = start the embedded one under `home`/pg. */
  databaseUrl: string | null;
  /** absolute path of TICKETLAB_HOME (default ./.ticketlab): embedded PG data, runtime file, artifacts. */
  home: string;
  /** forced tfjs backend (TICKETLAB_BACKEND); null = pick the best available. */
  backend: BackendChoice | null;
  /** job worker settings (TICKETLAB_WORKER*, TICKETLAB_HEARTBEAT_S, TICKETLAB_STALE_S). */
  worker: WorkerConfig;
  /** API tokens (TICKETLAB_AUTH, TICKETLAB_AUTH_RECHECK_S). */
  auth: AuthConfig;
  /** request limits (TICKETLAB_MAX_*). */
  limits: LimitsConfig;
  /** study caps (TICKETLAB_MAX_STUDY_*). */
  study: StudyConfig;
}

export interface StudyConfig {
  /** most seeds one study may name (TICKETLAB_MAX_STUDY_SEEDS, 10). */
  maxSeeds: number;
  /** most runs one study may plan (TICKETLAB_MAX_STUDY_RUNS, 2000). */
  maxRuns: number;
}

export interface AuthConfig {
  /** whether every request needs a token; always 'required' on a non-loopback HOST. */
  mode: 'required' | 'off';
  /** why this mode, for the start-up log line. */
  reason: string;
  /** how often open WebSockets' tokens are re-checked, closing those revoked (TICKETLAB_AUTH_RECHECK_S, 5). */
  recheckMs: number;
}

export interface LimitsConfig {
  /** deepest field nesting of an operation (TICKETLAB_MAX_DEPTH, 12). */
  maxDepth: number;
  /** most estimated field resolutions per operation (TICKETLAB_MAX_COST, 20000). */
  maxCost: number;
  /** assumed length of a list without a `first` argument, for the cost (TICKETLAB_LIST_COST, 10). */
  listSize: number;
  /** largest HTTP request body in bytes (TICKETLAB_MAX_BODY_BYTES, 1 MiB). */
  bodyBytes: number;
  /** largest WebSocket operation message in bytes (TICKETLAB_MAX_WS_MESSAGE_BYTES, 1 MiB). */
  wsMessageBytes: number;
  /** operations in flight (subscriptions included) per WebSocket (TICKETLAB_MAX_SUBSCRIPTIONS, 20). */
  subscriptionsPerConnection: number;
  /** lexical tokens a document may have; the parser stops past it (TICKETLAB_MAX_TOKENS, 5000). */
  maxTokens: number;
  /** root fields of one operation, each alias counting (TICKETLAB_MAX_ROOT_FIELDS, 20). */
  maxRootFields: number;
  /** cost of each occurrence of a field that queries the database: root fields and connections (TICKETLAB_DB_FIELD_COST, 50). */
  dbFieldCost: number;
  /** HTTP operations of one caller running at once (TICKETLAB_MAX_CONCURRENT, 8). */
  concurrentPerCaller: number;
  /** more of one caller's operations waiting for a slot before 429 (TICKETLAB_MAX_QUEUED, 64). */
  queuedPerCaller: number;
  /** SQL statements one query may run, counted as they run (TICKETLAB_MAX_SQL_STATEMENTS, 500). */
  sqlStatements: number;
  /** heap in use (MB) above which new operations are refused (TICKETLAB_HEAP_BUDGET_MB, half V8's limit). */
  heapBudgetMb: number;
  /** HTTP operations running at once in all: (V8 heap limit − budget) ÷ TICKETLAB_OP_HEAP_MB (32), or TICKETLAB_MAX_CONCURRENT_TOTAL. */
  concurrentTotal: number;
}

export interface WorkerConfig {
  /** `serve` also runs a job worker (TICKETLAB_WORKER, default 1; 0 = API only). */
  inProcess: boolean;
  /** runs one worker process executes at once (TICKETLAB_WORKER_CONCURRENCY, default 1). */
  concurrency: number;
  /** how often a running run's heartbeat_at is refreshed (TICKETLAB_HEARTBEAT_S, default 5). */
  heartbeatMs: number;
  /** a RUNNING run whose heartbeat is older than this is taken over (TICKETLAB_STALE_S, default 30). */
  staleMs: number;
  /** where computations run (TICKETLAB_COMPUTE): worker threads, or child processes; null = by backend. */
  compute: 'thread' | 'process' | null;
}

export class ConfigError extends Error {}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 4000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`PORT must be an integer in 0..65535, not "${raw}"`);
  return n;
}

function parseBackend(raw: string | undefined): BackendChoice | null {
  const v = (raw ?? '').trim();
  if (v === '') return null;
  if (v === 'tensorflow' || v === 'wasm' || v === 'cpu') return v;
  throw new ConfigError(`TICKETLAB_BACKEND must be tensorflow, wasm or cpu, not "${v}"`);
}

function parseDatabaseUrl(raw: string | undefined): string | null {
  const v = (raw ?? '').trim();
  if (v === '') return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError('DATABASE_URL is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://, not "${url.protocol}//"`);
  }
  return v;
}

function parseNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  integer: boolean,
): number {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new ConfigError(`${name} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}, not "${raw}"`);
  }
  return n;
}

function parseWorker(env: NodeJS.ProcessEnv): WorkerConfig {
  const raw = (env.TICKETLAB_WORKER ?? '').trim().toLowerCase();
  if (!['', '0', '1', 'true', 'false', 'on', 'off'].includes(raw))
    throw new ConfigError(`TICKETLAB_WORKER must be 1 or 0, not "${raw}"`);
  const heartbeatMs = parseNumber(env, 'TICKETLAB_HEARTBEAT_S', 5, 0.2, 3600, false) * 1000;
  const staleMs = parseNumber(env, 'TICKETLAB_STALE_S', 30, 1, 86_400, false) * 1000;
  // A heartbeat must arrive several times within the stale window, or live runs get taken over.
  if (staleMs < 2 * heartbeatMs)
    throw new ConfigError('TICKETLAB_STALE_S must be at least twice TICKETLAB_HEARTBEAT_S');
  const compute = (env.TICKETLAB_COMPUTE ?? '').trim();
  if (compute !== '' && compute !== 'thread' && compute !== 'process')
    throw new ConfigError(`TICKETLAB_COMPUTE must be thread or process, not "${compute}"`);
  return {
    compute: compute === '' ? null : compute,
    inProcess: !['0', 'false', 'off'].includes(raw),
    concurrency: parseNumber(env, 'TICKETLAB_WORKER_CONCURRENCY', 1, 1, 64, true),
    heartbeatMs,
    staleMs,
  };
}

/** 127.0.0.0/8, ::1 and localhost: only processes on this machine can connect. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

function parseAuth(env: NodeJS.ProcessEnv, host: string): AuthConfig {
  const raw = (env.TICKETLAB_AUTH ?? '').trim().toLowerCase();
  if (!['', 'required', 'off'].includes(raw))
    throw new ConfigError(`TICKETLAB_AUTH must be required or off, not "${raw}"`);
  const recheckMs = parseNumber(env, 'TICKETLAB_AUTH_RECHECK_S', 5, 0.1, 3600, false) * 1000;
  if (!isLoopback(host)) {
    // Anyone who can reach the port could start GPU runs: no way to serve a network without tokens.
    if (raw === 'off')
      throw new ConfigError(
        `TICKETLAB_AUTH=off is refused on HOST ${host}, which is not a loopback address; create tokens (ticketlab token create) or bind to 127.0.0.1`,
      );
    return { mode: 'required', reason: `HOST ${host} is not a loopback address`, recheckMs };
  }
  if (raw === 'required') return { mode: 'required', reason: 'TICKETLAB_AUTH=required', recheckMs };
  return { mode: 'off', reason: `HOST ${host} is loopback; TICKETLAB_AUTH=required turns tokens on`, recheckMs };
}

function parseLimits(env: NodeJS.ProcessEnv): LimitsConfig {
  return {
    maxDepth: parseNumber(env, 'TICKETLAB_MAX_DEPTH', 12, 1, 1000, true),
    maxCost: parseNumber(env, 'TICKETLAB_MAX_COST', 20_000, 1, 1e9, true),
    listSize: parseNumber(env, 'TICKETLAB_LIST_COST', 10, 1, 10_000, true),
    bodyBytes: parseNumber(env, 'TICKETLAB_MAX_BODY_BYTES', 1 << 20, 1024, 1 << 30, true),
    wsMessageBytes: parseNumber(env, 'TICKETLAB_MAX_WS_MESSAGE_BYTES', 1 << 20, 1024, 1 << 28, true),
    subscriptionsPerConnection: parseNumber(env, 'TICKETLAB_MAX_SUBSCRIPTIONS', 20, 1, 10_000, true),
    maxTokens: parseNumber(env, 'TICKETLAB_MAX_TOKENS', 5000, 100, 1_000_000, true),
    maxRootFields: parseNumber(env, 'TICKETLAB_MAX_ROOT_FIELDS', 20, 1, 10_000, true),
    dbFieldCost: parseNumber(env, 'TICKETLAB_DB_FIELD_COST', 50, 1, 1e6, true),
    concurrentPerCaller: parseNumber(env, 'TICKETLAB_MAX_CONCURRENT', 8, 1, 10_000, true),
    queuedPerCaller: parseNumber(env, 'TICKETLAB_MAX_QUEUED', 64, 0, 100_000, true),
    sqlStatements: parseNumber(env, 'TICKETLAB_MAX_SQL_STATEMENTS', 500, 1, 1e7, true),
    ...heapLimits(env),
  };
}

/** The heap budget and the operations in flight derived from it (src/auth/concurrency.ts). */
function heapLimits(env: NodeJS.ProcessEnv): Pick<LimitsConfig, 'heapBudgetMb' | 'concurrentTotal'> {
  const limitMb = Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
  const heapBudgetMb = parseNumber(env, 'TICKETLAB_HEAP_BUDGET_MB', Math.floor(limitMb / 2), 1, limitMb, true);
  const opMb = parseNumber(env, 'TICKETLAB_OP_HEAP_MB', 32, 1, limitMb, true);
  const derived = Math.max(1, Math.floor((limitMb - heapBudgetMb) / opMb));
  return {
    heapBudgetMb,
    concurrentTotal: parseNumber(env, 'TICKETLAB_MAX_CONCURRENT_TOTAL', derived, 1, 100_000, true),
  };
}

function parseStudy(env: NodeJS.ProcessEnv): StudyConfig {
  return {
    maxSeeds: parseNumber(env, 'TICKETLAB_MAX_STUDY_SEEDS', 10, 1, 1000, true),
    maxRuns: parseNumber(env, 'TICKETLAB_MAX_STUDY_RUNS', 2000, 1, 1_000_000, true),
  };
}

/** Reads and validates the configuration; throws ConfigError with a readable message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = (env.HOST ?? '').trim() || '127.0.0.1';
  return {
    port: parsePort(env.PORT),
    host,
    databaseUrl: parseDatabaseUrl(env.DATABASE_URL),
    home: path.resolve((env.TICKETLAB_HOME ?? '').trim() || '.ticketlab'),
    backend: parseBackend(env.TICKETLAB_BACKEND),
    worker: parseWorker(env),
    auth: parseAuth(env, host),
    limits: parseLimits(env),
    study: parseStudy(env),
  };
}

/** Written while serving ({ pid, graphqlUrl, databaseUrl }), so tools and tests can find the server. */
export function runtimeFile(home: string): string {
  return path.join(home, 'runtime.json');
}
