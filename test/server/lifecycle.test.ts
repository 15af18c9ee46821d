/**
 * Start-up, graceful shutdown and restart of the real server with its embedded PostgreSQL,
 * and the CLI's other commands.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { insertModel, withDb } from '../helpers/seed';
import { MAIN_JS, startServer, tempHome } from '../helpers/server';

function cli(args: string[], env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [MAIN_JS, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('SIGTERM stops HTTP, the database and exits 0; a restart finds the data and answers quickly', async () => {
  const home = tempHome();
  const first = await startServer({ home, embedded: true });
  const dataDir = path.join(home, 'pg', 'data');
  const postmasterPid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  expect(alive(postmasterPid)).toBe(true);
  expect(first.output()).toContain('migrations applied: Initial');
  const modelId = await withDb(first.databaseUrl, (db) => insertModel(db, 'survives-restart', 123));

  expect(await first.stop('SIGTERM')).toBe(0);
  expect(first.output()).toContain('stopped');
  expect(alive(postmasterPid)).toBe(false);
  expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false); // removed by a clean shutdown only
  expect(fs.existsSync(path.join(home, 'runtime.json'))).toBe(false);

  const t0 = Date.now();
  const second = await startServer({ home, embedded: true });
  try {
    const res = await second.gql<{
      health: string;
      model: { name: string; prunableParameterCount: number; config: { layers: number } };
    }>(`query($id: ID!) { health model(id: $id) { name prunableParameterCount config { layers } } }`, { id: modelId });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      health: 'ok',
      model: { name: 'survives-restart', prunableParameterCount: 123, config: { layers: 2 } },
    });
    expect(second.output()).not.toContain('migrations applied');
    expect(second.output()).not.toContain('initialising PostgreSQL');
  } finally {
    expect(await second.stop('SIGINT')).toBe(0);
  }

  // `migrate` on the stopped home: starts the embedded database, finds nothing to do, stops it.
  const migrate = cli(['migrate'], { TICKETLAB_HOME: home });
  expect(migrate.out).toContain('database schema is up to date');
  expect(migrate.status).toBe(0);
  expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
  fs.rmSync(home, { recursive: true, force: true });
});

test('CLI: help, a worker with no database to join, and configuration errors', () => {
  const help = cli(['help']);
  expect(help.status).toBe(0);
  expect(help.out).toContain('serve');
  const lonely = tempHome();
  const worker = cli(['worker'], { TICKETLAB_HOME: lonely });
  expect(worker.status).not.toBe(0);
  expect(worker.out).toContain('DATABASE_URL is not set and no server is running');
  fs.rmSync(lonely, { recursive: true, force: true });
  const badPort = cli(['serve'], { PORT: 'eighty' });
  expect(badPort.status).toBe(78);
  expect(badPort.out).toContain('PORT must be an integer');
  expect(cli(['frobnicate']).status).toBe(64);
});
