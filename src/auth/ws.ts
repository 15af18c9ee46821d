/**
 * The guard on the WebSocket side (graphql-ws): the token of connection_init is checked at
 * connect and again at every operation (a revoked token is refused at its next subscribe); open
 * sockets whose token was revoked are closed by a periodic re-check. Each subscribe is parsed,
 * validated and checked here, so the same scope and limit rules apply as over HTTP.
 */
import {
  getOperationAST,
  GraphQLError,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { Context as WsContext, ServerOptions, SubscribePayload } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import type { LimitsConfig } from '../config';
import { DomainError, UnavailableError } from '../kit/errors';
import { heapInUseMb } from './concurrency';
import { isCheap } from './http';
import { Authenticator, NO_TOKEN } from './authenticator';
import { checkDocumentShape, checkVariables, parseBounded } from './document';
import { checkOperation, LimitError, toGraphQLError, type Caller } from './guard';
import type { TokenService } from './token.service';

/**
 * Frames above this many times the message limit are not even read: ws closes the socket with
 * 1009 (message too big). Between the two, the operation gets a PAYLOAD_TOO_LARGE error.
 */
export const WS_HARD_CAP_FACTOR = 4;

/** graphql-ws's close code for a refused connection_init. */
export const CLOSE_FORBIDDEN = 4403;

interface Session {
  caller: Caller;
  token: string | null;
  socket: Extra['socket'];
}

type Ctx = WsContext<Record<string, unknown> | undefined, Extra>;

export interface WsGuardOptions {
  schema: GraphQLSchema;
  auth: Authenticator;
  tokens: TokenService;
  limits: LimitsConfig;
  recheckMs: number;
  /** the execution context of an operation of this caller */
  context: (caller: Caller) => unknown;
  log: (line: string) => void;
}

export interface WsGuard {
  hooks: Pick<ServerOptions<Record<string, unknown> | undefined, Extra>, 'onConnect' | 'onSubscribe' | 'onClose'>;
  /** Call after useServer: an oversized frame is a client's error, logged in one line. */
  quietOversizedFrames(wss: WebSocketServer): void;
  close(): void;
}

/**
 * Every failure before execution as a coded error on this operation, as HTTP answers it; the
 * socket stays open. A stack overflow (a value or document nested too deep for a recursive step)
 * is the client's BAD_REQUEST; anything else is logged once and answered INTERNAL_SERVER_ERROR.
 */
function refused(err: unknown, log: (line: string) => void): readonly GraphQLError[] {
  if (err instanceof DomainError) return [toGraphQLError(err, false)];
  if (err instanceof GraphQLError) return [err];
  if (err instanceof RangeError)
    return [new GraphQLError('the operation nests too deep to be read', { extensions: { code: 'BAD_REQUEST' } })];
  log(`WebSocket operation failed before it ran: ${err instanceof Error ? err.message : String(err)}`);
  return [new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
}

export function wsGuard(opts: WsGuardOptions): WsGuard {
  const sessions = new Map<Ctx, Session>();

  const parseAndValidate = (payload: SubscribePayload): DocumentNode | readonly GraphQLError[] => {
    if (typeof payload.query !== 'string')
      return [new GraphQLError('the operation has no query text', { extensions: { code: 'BAD_REQUEST' } })];
    const document = parseBounded(payload.query, opts.limits);
    checkDocumentShape(document, opts.limits);
    let errors: readonly GraphQLError[];
    try {
      errors = validate(opts.schema, document, specifiedRules);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      errors = [new GraphQLError('the document nests too deep to validate')];
    }
    if (errors.length)
      return errors.map(
        (e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
      );
    return document;
  };

  const hooks: WsGuard['hooks'] = {
    async onConnect(ctx) {
      try {
        const token = Authenticator.tokenOfParams(ctx.connectionParams);
        const caller = await opts.auth.fromToken(opts.auth.required ? token : null);
        // A client gone while its token was looked up: onClose has run already, keep nothing.
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
        sessions.set(ctx, { caller, token: opts.auth.required ? token : null, socket: ctx.extra.socket });
        return true;
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        // Our reason first (graphql-ws would close with a bare "Forbidden"); WebSocket reasons are ≤ 123 bytes.
        const why =
          err.message === NO_TOKEN
            ? 'no token: send {"authorization": "Bearer <token>"} in connection_init'
            : err.message;
        ctx.extra.socket.close(CLOSE_FORBIDDEN, `${err.code}: ${why}`.slice(0, 120));
        return false;
      }
    },

    async onSubscribe(ctx, _id, payload) {
      const session = sessions.get(ctx);
      if (!session)
        return [new GraphQLError('connection not initialised', { extensions: { code: 'UNAUTHENTICATED' } })];
      try {
        // Before anything recurses over them: variables and extensions bounded, no NUL in strings.
        checkVariables({
          ...(payload.variables ?? {}),
          ...(payload.extensions ? { extensions: payload.extensions } : {}),
        });
        const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
        if (bytes > opts.limits.wsMessageBytes) {
          throw new LimitError(
            'PAYLOAD_TOO_LARGE',
            `the operation message has ${bytes} bytes; this server allows at most ${opts.limits.wsMessageBytes}`,
          );
        }
        // graphql-ws registers the operation before this hook: it is counted.
        const open = Object.keys(ctx.subscriptions).length;
        if (open > opts.limits.subscriptionsPerConnection) {
          throw new LimitError(
            'TOO_MANY_SUBSCRIPTIONS',
            `this connection already has ${open - 1} operations open; this server allows at most ${opts.limits.subscriptionsPerConnection} per connection`,
          );
        }
        // Every operation re-checks the token: a revocation takes effect at the next subscribe.
        const caller = opts.auth.required ? await opts.auth.fromToken(session.token) : session.caller;
        const parsed = parseAndValidate(payload);
        if (!('kind' in parsed)) return parsed;
        const operation = getOperationAST(parsed, payload.operationName);
        if (!operation)
          return [new GraphQLError('Unable to identify operation', { extensions: { code: 'BAD_USER_INPUT' } })];
        const variables = payload.variables ?? {};
        checkOperation({ schema: opts.schema, document: parsed, operation, variables, caller }, opts.limits);
        const heap = heapInUseMb();
        if (heap > opts.limits.heapBudgetMb && !isCheap(operation))
          throw new UnavailableError(
            `the server holds ${Math.round(heap)} MB of heap, above its budget of ${opts.limits.heapBudgetMb} MB (TICKETLAB_HEAP_BUDGET_MB); retry in a second`,
          );
        return {
          schema: opts.schema,
          document: parsed,
          operationName: payload.operationName,
          variableValues: variables,
          contextValue: opts.context(caller),
        };
      } catch (err) {
        return refused(err, opts.log);
      }
    },

    onClose(ctx) {
      sessions.delete(ctx);
    },
  };

  // Streams already open do not pass onSubscribe again: close sockets whose token was revoked.
  let checking = false;
  const timer = setInterval(() => {
    const withTokens = [...sessions.values()].filter((s) => s.caller.tokenId !== null);
    if (checking || withTokens.length === 0) return;
    checking = true;
    opts.tokens
      .active([...new Set(withTokens.map((s) => s.caller.tokenId!))])
      .then(
        (active) => {
          for (const s of withTokens) {
            if (!active.has(s.caller.tokenId!)) s.socket.close(CLOSE_FORBIDDEN, 'UNAUTHENTICATED: token revoked');
          }
        },
        (err: unknown) => opts.log(`token re-check failed: ${String(err)}`),
      )
      .finally(() => (checking = false));
  }, opts.recheckMs);
  timer.unref();

  // ws has already closed the socket with 1009 (message too big); graphql-ws would log it as an
  // internal error with a stack trace, once per offending client.
  const quietOversizedFrames = (wss: WebSocketServer) => {
    wss.on('connection', (socket) => {
      const theirs = socket.listeners('error') as Array<(err: Error) => void>;
      socket.removeAllListeners('error');
      socket.on('error', (err: Error & { code?: string }) => {
        if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
          return opts.log(
            `WebSocket frame over ${WS_HARD_CAP_FACTOR * opts.limits.wsMessageBytes} bytes: connection closed (1009)`,
          );
        for (const l of theirs) l.call(socket, err);
      });
    });
  };

  return { hooks, quietOversizedFrames, close: () => clearInterval(timer) };
}
