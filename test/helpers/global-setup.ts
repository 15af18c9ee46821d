/**
 * jest globalSetup: one embedded PostgreSQL for the whole test run (a child process running
 * pg-cluster.js) and a template database migrated once by `ticketlab migrate`. Test servers get a
 * database cloned from it (helpers/server.ts); tests about the embedded cluster itself start their
 * own with `startServer({ embedded: true })`. global-teardown.ts stops it.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MAIN_JS } from './server';
import { TEST_PG_TEMPLATE_ENV, TEST_PG_URL_ENV, databaseUrl, quoteIdent, withAdmin } from './test-db';

const CLUSTER_JS = path.join(__dirname, 'pg-cluster.js');
export const TEMPLATE = 'tl_template';

export interface ClusterState {
  proc: ChildProcess;
  home: string;
  url: string;
  exited: Promise<number | null>;
}

declare global {
  // Shared with global-teardown.ts, which jest runs in this same process.
  var __ticketlabTestCluster: ClusterState | undefined;
}

function startCluster(home: string): Promise<ClusterState> {
  const proc = spawn(process.execPath, [CLUSTER_JS, home], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`test PostgreSQL did not start within 120 s:\n${err}`));
    }, 120_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      const msg = JSON.parse(out.slice(0, nl)) as { url?: string; error?: string };
      if (msg.url) resolve({ proc, home, url: msg.url, exited });
      else reject(new Error(`test PostgreSQL did not start: ${msg.error}\n${err}`));
    };
    proc.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`test PostgreSQL process exited with ${code} during start-up:\n${err}`));
    });
  });
}

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-test-pg-'));
  const cluster = await startCluster(home);
  globalThis.__ticketlabTestCluster = cluster;

  await withAdmin(cluster.url, async (db) => {
    await db.query(`DROP DATABASE IF EXISTS ${quoteIdent(TEMPLATE)}`);
    await db.query(`CREATE DATABASE ${quoteIdent(TEMPLATE)}`);
  });
  // The schema exactly as a deployment gets it: the real CLI's `migrate` (TypeORM migrations).
  // Built-in task rows, the shipped model's row and pg-boss's schema are written by each
  // server's start-up, as on a fresh database.
  const migrateHome = path.join(home, 'migrate-home');
  const r = spawnSync(process.execPath, [MAIN_JS, 'migrate'], {
    env: { ...process.env, DATABASE_URL: databaseUrl(cluster.url, TEMPLATE), TICKETLAB_HOME: migrateHome },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0)
    throw new Error(
      `ticketlab migrate on the template failed (${r.status ?? r.error?.message}):\n${r.stdout}\n${r.stderr}`,
    );
  // No session may sit on the template while it is cloned.
  await withAdmin(cluster.url, (db) =>
    db.query(`ALTER DATABASE ${quoteIdent(TEMPLATE)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`),
  );

  process.env[TEST_PG_URL_ENV] = cluster.url;
  process.env[TEST_PG_TEMPLATE_ENV] = TEMPLATE;
  if (process.env.TICKETLAB_TEST_TIMING)
    console.log(`\ntest PostgreSQL and migrated template ready in ${Date.now() - t0} ms`);
}
