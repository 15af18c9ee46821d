/**
 * The run-time budget of SQL statements per GraphQL query (TICKETLAB_MAX_SQL_STATEMENTS): the
 * cost limit estimates up front what a document may make the database do; this counts what it
 * does, and the statement past the budget fails with QUERY_TOO_COSTLY before it reaches
 * PostgreSQL (every later one of the same request too, so a refused request stops costing).
 * Queries over HTTP and WebSocket are budgeted; mutations are bounded by their own caps (a
 * study's plan size, a transfer's tickets × tasks) and subscriptions are long-lived, so they are
 * counted but not budgeted.
 *
 * Statements are attributed to requests through AsyncLocalStorage: TypeORM logs each statement
 * synchronously from the async chain of the resolver (or DataLoader batch) that issued it, before
 * sending it. With TICKETLAB_TEST_SQL_COUNT=1 every HTTP response also carries
 * `extensions.sqlQueries` (tests check DataLoader batching with it).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { AsyncLocalStorage } from 'async_hooks';
import type { RequestHandler } from 'express';
import type { DataSource, Logger } from 'typeorm';
import { DomainError } from '../kit/errors';

interface Counter {
  queries: number;
  /** null: counted, not budgeted */
  budget: number | null;
}

const store = new AsyncLocalStorage<Counter>();

export class SqlBudgetError extends DomainError {
  readonly code = 'QUERY_TOO_COSTLY';
}

/** Read here rather than in config.ts: it is a test switch, not a setting for users. */
export function sqlCountEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TICKETLAB_TEST_SQL_COUNT === '1';
}

/** Wraps the DataSource's logger so each statement run inside a request is counted and budgeted. */
export function installSqlBudget(ds: DataSource): void {
  const inner: Logger = ds.logger;
  const counting: Logger = {
    logQuery: (query, parameters, runner) => {
      const c = store.getStore();
      if (c && ++c.queries > (c.budget ?? Infinity)) {
        throw new SqlBudgetError(
          `this query needs more than ${c.budget} SQL statements, this server's budget per query (TICKETLAB_MAX_SQL_STATEMENTS); ask for fewer aliases, pages or nested connections`,
        );
      }
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

/** Runs `f` (an operation's execution) with a fresh counter; `budget` null counts without limit. */
export function withSqlBudget<T>(budget: number | null, f: () => T): T {
  return store.run({ queries: 0, budget }, f);
}

/**
 * Express middleware (after the document gate, which records the operation type in
 * res.locals.operation): runs the rest of the request with a fresh counter.
 */
export function sqlBudgetMiddleware(budget: number): RequestHandler {
  return (_req, res, next) => withSqlBudget(res.locals.operation === 'query' ? budget : null, () => next());
}

/** Apollo plugin (test switch only): reports the request's count in the response extensions. */
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
