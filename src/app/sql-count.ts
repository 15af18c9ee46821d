/**
 * Test instrumentation: counts the SQL statements each GraphQL request issues, so tests can check
 * that DataLoader batching keeps a page's cost bounded. Off unless TICKETLAB_TEST_SQL_COUNT=1;
 * then every HTTP GraphQL response carries `extensions.sqlQueries`.
 *
 * Queries are attributed to requests through AsyncLocalStorage: TypeORM logs each statement
 * synchronously from the async chain of the resolver (or DataLoader batch) that issued it.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { AsyncLocalStorage } from 'async_hooks';
import type { RequestHandler } from 'express';
import type { DataSource, Logger } from 'typeorm';

interface Counter {
  queries: number;
}

const store = new AsyncLocalStorage<Counter>();

/** Read here rather than in config.ts: it is a test switch, not a setting for users. */
export function sqlCountEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TICKETLAB_TEST_SQL_COUNT === '1';
}

/** Wraps the DataSource's logger so each statement run inside a counted request is counted. */
export function installSqlCounter(ds: DataSource): void {
  const inner: Logger = ds.logger;
  const counting: Logger = {
    logQuery: (query, parameters, runner) => {
      const c = store.getStore();
      if (c) c.queries++;
      return inner.logQuery(query, parameters, runner);
    },
    logQueryError: (e, q, p, r) => inner.logQueryError(e, q, p, r),
    logQuerySlow: (t, q, p, r) => inner.logQuerySlow(t, q, p, r),
    logSchemaBuild: (m, r) => inner.logSchemaBuild(m, r),
    logMigration: (m, r) => inner.logMigration(m, r),
    log: (l, m, r) => inner.log(l, m, r),
  };
  (ds as { logger: Logger }).logger = counting;
}

/** Express middleware (after the body parser): runs the rest of the request with a fresh counter. */
export const sqlCountMiddleware: RequestHandler = (_req, _res, next) => store.run({ queries: 0 }, () => next());

/** Apollo plugin: reports the request's count in the response extensions. */
export const sqlCountPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const c = store.getStore();
        if (c && response.body.kind === 'single') {
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, sqlQueries: c.queries };
        }
      },
    };
  },
};
