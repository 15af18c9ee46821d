/**
 * The API on an open database (app/database.ts): built-in rows → LISTEN/NOTIFY bus → GraphQL
 * over HTTP (Apollo 5 on Express 5) and over WebSocket (graphql-ws, same port and path).
 */
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import * as fs from 'fs';
import { execute, getOperationAST, type GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { WebSocketServer } from 'ws';
import { runtimeFile, type Config } from '../config';
import { initBackend } from '../core/backend';
import type { OpenDatabase } from './database';
import { TaskService } from '../task/task.service';
import { callerOf, createGuard } from '../auth';
import { ArtifactStore } from '../artifacts/store';
import { jsonErrors } from './json-errors';
import { mountExportRoutes } from '../export/export.routes';
import { mountDashboard } from '../dashboard/mount';
import { createContext } from '../kit/context';
import { formatError } from '../kit/errors';
import { PgPubSub } from '../events/bus';
import { QueueSender } from '../jobs/queue';
import { buildAppSchema, createServices } from './schema';
import { startStudyDriver } from '../study/study.driver';
import { installSqlBudget, sqlBudgetMiddleware, sqlCountEnabled, sqlCountPlugin, withSqlBudget } from './sql-budget';

export interface RunningServer {
  /** e.g. http://127.0.0.1:4000/graphql */
  graphqlUrl: string;
  databaseUrl: string;
  /** Stops HTTP/WS and the event listener (the database is the caller's to close). */
  close(): Promise<void>;
}

export async function startServer(cfg: Config, db: OpenDatabase, log: (l: string) => void): Promise<RunningServer> {
  const backend = initBackend(cfg.backend ?? undefined);
  const { ds, databaseUrl } = db;
  const cleanup: Array<() => Promise<void>> = [];
  const unwind = async () => {
    for (const c of cleanup.reverse()) await c().catch((e) => log(`shutdown step failed: ${String(e)}`));
  };
  try {
    await new TaskService(ds).ensureBuiltins();
    const compute = await backend;
    log(`compute backend: ${compute.backend} (${compute.device}, kernels ${compute.kernels})`);

    const pubSub = new PgPubSub(databaseUrl, ds, log);
    await pubSub.start();
    cleanup.push(() => pubSub.close());
    // Opened at start: `health` answers for the queue, and the first mutation does not wait for it.
    const queue = new QueueSender(databaseUrl, log);
    cleanup.push(() => queue.close());
    await queue.ready();
    const services = createServices(ds, queue, cfg, log);
    const schema = await buildAppSchema(ds, pubSub, cfg, services);
    const studyDriver = startStudyDriver(ds, pubSub, services.studies, log);
    cleanup.push(() => studyDriver.close());
    const countSql = sqlCountEnabled();
    installSqlBudget(ds);

    const guard = createGuard(cfg, ds, log);
    const wsGuard = guard.ws(schema, (caller) => createContext(ds, caller));
    cleanup.push(async () => wsGuard.close());

    const app = express();
    app.disable('x-powered-by');
    // Slow or lying clients (headers dribbled, a Content-Length never sent) are cut off in seconds,
    // not after Node's 300 s default (checked every 2 s, not every 30 s); bodies are at most
    // TICKETLAB_MAX_BODY_BYTES, which a client on loopback or a LAN sends well within the limit.
    const httpServer = http.createServer(
      { headersTimeout: 10_000, requestTimeout: 15_000, connectionsCheckingInterval: 2000 },
      app,
    );
    const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: guard.wsMaxPayload });
    const wsCleanup = useServer(
      {
        schema,
        // Token at connect and at each operation; each subscribe parsed, validated, scope- and limit-checked.
        ...wsGuard.hooks,
        // Queries over WebSocket get the same statement budget as over HTTP (sql-budget.ts).
        execute: (args) =>
          withSqlBudget(
            getOperationAST(args.document, args.operationName)?.operation === 'query' ? cfg.limits.sqlStatements : null,
            () => execute(args),
          ),
        // Subscription results skip Apollo; the same single error mapping applies to them.
        onNext: (_ctx, _id, _payload, _args, result) =>
          result.errors
            ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON() as GraphQLFormattedError, e)) }
            : result,
      },
      wsServer,
    );
    wsGuard.quietOversizedFrames(wsServer);
    const apollo = new ApolloServer({
      schema,
      formatError,
      includeStacktraceInErrorResponses: false,
      // The document gate parses with the same bound first; this keeps Apollo's own parse bounded too.
      parseOptions: { maxTokens: cfg.limits.maxTokens },
      // Explicit: Apollo turns introspection off when NODE_ENV=production, and clients (the
      // explorer, codegen) need the schema; it holds nothing a schema file would not.
      introspection: true,
      // main.ts owns SIGINT/SIGTERM: Apollo's handlers would re-raise the signal after stopping.
      stopOnTerminationSignals: false,
      plugins: [
        ApolloServerPluginLandingPageDisabled(),
        // No HTTP caching of GraphQL answers here; the default cache-control plugin wraps every
        // field resolver (willResolveField), about 3% of a 100-ticket page's CPU.
        ApolloServerPluginCacheControlDisabled(),
        ApolloServerPluginDrainHttpServer({ httpServer }),
        {
          async serverWillStart() {
            return {
              async drainServer() {
                await wsCleanup.dispose();
              },
            };
          },
        },
        guard.plugin,
        ...(countSql ? [sqlCountPlugin] : []),
      ],
    });
    await apollo.start();
    cleanup.push(() => apollo.stop());

    mountDashboard(app);
    mountExportRoutes(app, ds, { authorize: guard.exportGuard, artifactsDir: new ArtifactStore(cfg.home).dir });
    app.use(
      '/graphql',
      guard.http,
      express.json({ limit: cfg.limits.bodyBytes }),
      guard.document,
      guard.concurrency,
      sqlBudgetMiddleware(cfg.limits.sqlStatements),
      expressMiddleware(apollo, { context: async ({ res }) => createContext(ds, callerOf(res)) }),
      guard.bodyErrors,
    );
    app.use(jsonErrors(log));

    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(cfg.port, cfg.host, () => resolve());
    });
    const port = (httpServer.address() as AddressInfo).port;
    const hostForUrl = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
    const graphqlUrl = `http://${hostForUrl}:${port}/graphql`;
    fs.mkdirSync(cfg.home, { recursive: true });
    fs.writeFileSync(
      runtimeFile(cfg.home),
      JSON.stringify({ pid: process.pid, graphqlUrl, databaseUrl }, null, 2) + '\n',
      { mode: 0o600 },
    );
    cleanup.push(async () => fs.rmSync(runtimeFile(cfg.home), { force: true }));
    return { graphqlUrl, databaseUrl, close: unwind };
  } catch (err) {
    await unwind();
    throw err;
  }
}
