/**
 * Test utilities: spawn the REAL server (`node dist/src/main.js serve`) on a free port with its
 * own TICKETLAB_HOME (artifacts, imports, runtime file), and talk to it over HTTP and WebSocket.
 * By default its database is its own clone of the test run's migrated template (one shared
 * PostgreSQL per test run, see global-setup.ts), dropped when it stops; `embedded: true` gives it
 * its own embedded PostgreSQL under $TICKETLAB_HOME/pg instead, for tests about that cluster or
 * the process lifecycle around it. The server writes $TICKETLAB_HOME/runtime.json ({ pid,
 * graphqlUrl, databaseUrl }) once it listens; tests use that databaseUrl to insert rows directly.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { cloneTemplate, dropDatabase, testCluster } from './test-db';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** main.js of the same build as this file (dist/ normally). */
export const MAIN_JS = path.resolve(__dirname, '..', '..', 'src', 'main.js');

export interface GqlResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; [k: string]: unknown } }>;
}

export interface TestServer {
  home: string;
  graphqlUrl: string;
  wsUrl: string;
  baseUrl: string;
  databaseUrl: string;
  proc: ChildProcess;
  /** everything the process printed so far. */
  output(): string;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>>;
  /**
   * Sends the signal and resolves with the exit code (null if killed by a signal); removes the
   * home directory when startServer created it.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function tempHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-test-'));
}

export interface StartOptions {
  /** TICKETLAB_HOME to use (kept at stop); default a new temporary one (removed at stop). */
  home?: string;
  /** extra environment; a DATABASE_URL here is used as given (no clone is made). */
  env?: Record<string, string>;
  /**
   * true: the server starts its own embedded PostgreSQL under $TICKETLAB_HOME/pg (initdb on a new
   * home), as `ticketlab serve` does without DATABASE_URL. Default: a database cloned from the
   * test run's migrated template.
   */
  embedded?: boolean;
  /** Node options before the script (e.g. `--inspect=127.0.0.1:0`, see test/helpers/inspect.ts). */
  nodeArgs?: string[];
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const ownsHome = opts.home === undefined;
  const home = opts.home ?? tempHome();
  const port = await freePort();
  const runtime = path.join(home, 'runtime.json');
  fs.rmSync(runtime, { force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TICKETLAB_HOME: home,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...opts.env,
  };
  if (!opts.env?.DATABASE_URL) delete env.DATABASE_URL;
  // Without global-setup.ts (jest run with another config) every server starts its own cluster.
  const cluster = opts.embedded || opts.env?.DATABASE_URL ? null : testCluster();
  const clone = cluster ? await cloneTemplate(cluster) : null;
  if (clone) env.DATABASE_URL = clone.url;
  const dropClone = async () => {
    if (clone) await dropDatabase(cluster!.url, clone.name);
  };
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), MAIN_JS, 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let onOutput: () => void = () => undefined;
  const collect = (c: Buffer) => {
    out += c.toString();
    onOutput();
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  // Ready once it prints its URL (the runtime file is written just before); no polling interval.
  let timer: NodeJS.Timeout | undefined;
  const started = await new Promise<'ready' | 'exited' | 'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), 90_000);
    onOutput = () => {
      if (/GraphQL at /.test(out)) resolve('ready');
    };
    onOutput();
    void exited.then(() => resolve('exited'));
  });
  clearTimeout(timer);
  onOutput = () => undefined;
  if (started !== 'ready') {
    if (started === 'timeout') proc.kill('SIGKILL');
    const code = await exited;
    await dropClone();
    throw new Error(
      started === 'timeout'
        ? `server did not start within 90 s:\n${out}`
        : `server exited with ${code} during start-up:\n${out}`,
    );
  }
  const info = JSON.parse(fs.readFileSync(runtime, 'utf8')) as { graphqlUrl: string; databaseUrl: string };
  // main.ts installs its SIGTERM/SIGINT handlers just after printing that line, in the same tick;
  // a signal sent before them kills the process outright (no clean stop, an embedded postmaster
  // left running). An answered request means that tick is over. Any status will do (auth may be on).
  try {
    await (
      await fetch(info.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      })
    ).arrayBuffer();
  } catch (e) {
    proc.kill('SIGKILL');
    await exited;
    await dropClone();
    throw new Error(`server printed its URL but does not answer (${String(e)}):\n${out}`, { cause: e });
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    home,
    graphqlUrl: info.graphqlUrl,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    baseUrl,
    databaseUrl: info.databaseUrl,
    proc,
    output: () => out,
    async gql<T>(query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>> {
      const res = await fetch(info.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GqlResponse<T>;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      await dropClone();
      if (ownsHome) fs.rmSync(home, { recursive: true, force: true });
      return code;
    },
  };
}
