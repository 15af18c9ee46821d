/** jest globalTeardown: drops the cloned databases left over, stops the test PostgreSQL, removes its home. */
import * as fs from 'fs';
import './global-setup';
import { CLONE_PREFIX, quoteIdent, withAdmin } from './test-db';

export default async function globalTeardown(): Promise<void> {
  const cluster = globalThis.__ticketlabTestCluster;
  if (!cluster) return;
  globalThis.__ticketlabTestCluster = undefined;
  try {
    const left = await withAdmin(cluster.url, async (db) => {
      const rows = (await db.query(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [CLONE_PREFIX]))
        .rows as Array<{ datname: string }>;
      for (const { datname } of rows) await db.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
      return rows.map((r) => r.datname);
    });
    // Each server's database is dropped when it stops; one left here was not stopped by its test.
    if (left.length)
      console.warn(`test PostgreSQL: dropped ${left.length} database(s) no test server dropped: ${left.join(', ')}`);
  } finally {
    if (cluster.proc.exitCode === null) cluster.proc.kill('SIGTERM');
    const timer = setTimeout(() => cluster.proc.kill('SIGKILL'), 30_000);
    await cluster.exited;
    clearTimeout(timer);
    fs.rmSync(cluster.home, { recursive: true, force: true });
  }
}
