/**
 * Authentication, scopes and request limits of the API process, wired in one place:
 * server.ts takes the Express middlewares, the Apollo plugin, the graphql-ws hooks and the
 * export guard from here.
 */
import type { GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { ExportGuard } from '../export/export.auth';
import { requireScope } from './export-guard';
import { Authenticator } from './authenticator';
import type { Caller } from './guard';
import { admission } from './concurrency';
import { authenticateHttp, bodyErrors, documentGate, guardPlugin } from './http';
import { TokenService } from './token.service';
import { WS_HARD_CAP_FACTOR, wsGuard, type WsGuard } from './ws';

export { callerOf } from './http';
export type { Caller } from './guard';

export function createGuard(cfg: Config, ds: DataSource, log: (line: string) => void) {
  const tokens = new TokenService(ds);
  const auth = new Authenticator(cfg.auth.mode, tokens);
  const logErr = (err: unknown) => log(`request guard failed: ${err instanceof Error ? err.message : String(err)}`);
  const l = cfg.limits;
  log(`auth: ${cfg.auth.mode === 'required' ? 'tokens required' : 'off'} (${cfg.auth.reason})`);
  log(
    `limits: depth ${l.maxDepth}, cost ${l.maxCost}, body ${l.bodyBytes} B, WebSocket message ${l.wsMessageBytes} B, ${l.subscriptionsPerConnection} operations per WebSocket, ${l.maxTokens} tokens and ${l.maxRootFields} root fields per document, database fields cost ${l.dbFieldCost}, ${l.sqlStatements} SQL statements per query`,
  );
  return {
    auth,
    /** first on /graphql: 401 before the body is read */
    http: authenticateHttp(auth, logErr),
    /** after the body parser: the document and variables bounded, subscriptions refused */
    document: documentGate(l),
    /** after the document gate: a caller's operations in flight bounded */
    concurrency: admission(l),
    /** last on /graphql: body-parser errors as JSON */
    bodyErrors: bodyErrors(l, logErr),
    plugin: guardPlugin(l),
    exportGuard: requireScope(auth, 'read') as ExportGuard,
    wsMaxPayload: l.wsMessageBytes * WS_HARD_CAP_FACTOR,
    ws: (schema: GraphQLSchema, context: (caller: Caller) => unknown): WsGuard =>
      wsGuard({ schema, auth, tokens, limits: l, recheckMs: cfg.auth.recheckMs, context, log }),
  };
}
