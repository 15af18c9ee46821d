/**
 * The test run's shared PostgreSQL (started once by global-setup.ts) and the databases cloned from
 * its migrated template, one per test server. global-setup.ts puts the cluster's URL and the
 * template's name in process.env, which jest's workers inherit.
 */
import { randomBytes } from 'crypto';
import { Client } from 'pg';

/** connection string of the test cluster's `ticketlab` database (admin: the cluster's superuser). */
export const TEST_PG_URL_ENV = 'TICKETLAB_TEST_PG_URL';
/** name of the migrated template database on that cluster. */
export const TEST_PG_TEMPLATE_ENV = 'TICKETLAB_TEST_PG_TEMPLATE';
/** every cloned database's name starts with this (teardown drops what is left). */
export const CLONE_PREFIX = 'tl_test_';

export interface TestCluster {
  url: string;
  template: string;
}

/** The shared cluster, or null when jest ran without global-setup.ts (servers then start their own). */
export function testCluster(): TestCluster | null {
  const url = process.env[TEST_PG_URL_ENV];
  const template = process.env[TEST_PG_TEMPLATE_ENV];
  return url && template ? { url, template } : null;
}

/** `url` with its database replaced by `database`. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function withAdmin<T>(url: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url, application_name: 'ticketlab-test-admin' });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A new database cloned from the template (a file copy: no initdb, no migrations); its URL and name. */
export async function cloneTemplate(cluster: TestCluster): Promise<{ url: string; name: string }> {
  const name = `${CLONE_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin(cluster.url, (db) => db.query(`CREATE DATABASE ${ident(name)} TEMPLATE ${ident(cluster.template)}`));
  return { url: databaseUrl(cluster.url, name), name };
}

/** Drops a database, closing any connection still open on it (a killed process's, say). */
export async function dropDatabase(clusterUrl: string, name: string): Promise<void> {
  await withAdmin(clusterUrl, (db) => db.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
}

export { ident as quoteIdent };
