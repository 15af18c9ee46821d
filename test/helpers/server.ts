/**
 * Test utilities: spawn the REAL server (`node dist/src/main.js serve`) on a free port with its
 * own TICKETLAB_HOME (so its own embedded PostgreSQL), and talk to it over HTTP and WebSocket.
 * The server writes $TICKETLAB_HOME/runtime.json ({ pid, graphqlUrl, databaseUrl }) once it
 * listens; tests use that databaseUrl to insert rows directly with `pg`.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

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

export async function startServer(opts: { home?: string; env?: Record<string, string>; embedded?: boolean } = {}): Promise<TestServer> {
  const ownsHome = opts.home === undefined;
  const home = opts.home ?? tempHome();
  const port = await freePort();
  const runtime = path.join(home, 'runtime.json');
  fs.rmSync(runtime, { force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, TICKETLAB_HOME: home, PORT: String(port), HOST: '127.0.0.1', ...opts.env };
  if (!opts.env?.DATABASE_URL) delete env.DATABASE_URL;
  const proc = spawn(process.execPath, [MAIN_JS, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 90_000;
  while (!/GraphQL at /.test(out)) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode} during start-up:\n${out}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not start within 90 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = JSON.parse(fs.readFileSync(runtime, 'utf8')) as { graphqlUrl: string; databaseUrl: string };
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
      if (ownsHome) fs.rmSync(home, { recursive: true, force: true });
      return code;
    },
  };
}
