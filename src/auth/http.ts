/**
 * The guard on the HTTP side of /graphql: authentication before the body is read, the
 * operation check as an Apollo plugin, and body-parser failures (too large, not JSON) answered
 * as GraphQL-shaped JSON errors instead of Express's HTML pages.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST, GraphQLError, Kind, type OperationDefinitionNode } from 'graphql';

import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { LimitsConfig } from '../config';
import { isDatabaseUnavailable } from '../kit/unavailable';
import { DATABASE_UNAVAILABLE_MESSAGE, DomainError, type ErrorCode } from '../kit/errors';
import type { Authenticator } from './authenticator';
import { checkDocumentShape, checkVariables, parseBounded } from './document';
import { checkOperation, httpStatus, LOCAL_CALLER, toGraphQLError, type Caller } from './guard';

/** Root fields that read no table: answered at once, whatever else the caller has running. */
const CHEAP_FIELDS = new Set(['health', 'compute', '__typename']);

/** A query of `health`, `compute` only: a readiness probe, never queued or refused for load. */
export function isCheap(op: OperationDefinitionNode | null | undefined): boolean {
  return (
    op?.operation === 'query' &&
    op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && CHEAP_FIELDS.has(s.name.value))
  );
}

function sendError(
  res: Response,
  status: number,
  code: ErrorCode | 'BAD_REQUEST' | 'GRAPHQL_PARSE_FAILED',
  message: string,
): void {
  if (status === 401) res.setHeader('www-authenticate', 'Bearer');
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** The caller that authenticateHttp stored for this request. */
export function callerOf(res: Response): Caller {
  return (res.locals.caller as Caller | undefined) ?? LOCAL_CALLER;
}

/** Refuses requests without a valid token (auth required) before their body is read. */
export function authenticateHttp(auth: Authenticator, log: (err: unknown) => void): RequestHandler {
  return (req, res, next) => {
    auth.fromHeader(req.headers.authorization).then(
      (caller) => {
        res.locals.caller = caller;
        next();
      },
      (err: unknown) => {
        if (err instanceof DomainError) return sendError(res, httpStatus(err.code), err.code, err.message);
        // The token lookup needs PostgreSQL; while it is down the caller can only retry.
        if (isDatabaseUnavailable(err)) return sendError(res, 503, 'SERVICE_UNAVAILABLE', DATABASE_UNAVAILABLE_MESSAGE);
        log(err);
        sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      },
    );
  };
}

/** Variables as sent: an object (POST) or its JSON text (GET); anything else is Apollo's to refuse. */
function variablesOf(v: unknown): Record<string, unknown> | null {
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/**
 * After express.json, before Apollo: the document and variables bounded (document.ts) and
 * subscriptions refused (they are served over WebSocket), each answered as a coded JSON error
 * before graphql-js parses, validates or runs anything.
 */
export function documentGate(limits: LimitsConfig): RequestHandler {
  return (req, res, next) => {
    const body = (req.method === 'GET' ? req.query : req.body) as
      { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
    // Malformed requests (no query, wrong types) are Apollo's to answer, with its own codes.
    if (
      !body ||
      typeof body !== 'object' ||
      Array.isArray(body) ||
      typeof body.query !== 'string' ||
      body.query.trim() === ''
    )
      return next();
    try {
      const doc = parseBounded(body.query, limits);
      checkDocumentShape(doc, limits);
      checkVariables(variablesOf(body.variables));
      const op = getOperationAST(doc, typeof body.operationName === 'string' ? body.operationName : undefined);
      if (op?.operation === 'subscription') {
        return sendError(
          res,
          400,
          'BAD_REQUEST',
          'subscriptions are served over WebSocket (graphql-transport-ws on /graphql), not over HTTP',
        );
      }
      res.locals.operation = op?.operation; // the SQL budget applies to queries (app/sql-budget.ts)
      // A readiness probe's query does not wait behind a caller's expensive ones (concurrency.ts).
      res.locals.cheap = isCheap(op);
    } catch (err) {
      if (err instanceof DomainError) return sendError(res, httpStatus(err.code), err.code, err.message);
      if (err instanceof GraphQLError) return sendError(res, 400, 'GRAPHQL_PARSE_FAILED', err.message);
      throw err;
    }
    next();
  };
}

/** After express.json: its errors as JSON (413 PAYLOAD_TOO_LARGE, 400 BAD_REQUEST), no stack. */
export function bodyErrors(limits: LimitsConfig, log: (err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') {
      return sendError(
        res,
        413,
        'PAYLOAD_TOO_LARGE',
        `the request body is larger than this server's limit of ${limits.bodyBytes} bytes`,
      );
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      // body-parser's messages are plain ("Unexpected token … in JSON"), never a stack.
      return sendError(
        res,
        e.status,
        'BAD_REQUEST',
        `the request body could not be read: ${e.message ?? e.type ?? 'bad request'}`,
      );
    }
    log(err);
    sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  };
}

/** Scope and limits of every HTTP operation, once graphql-js has parsed and validated it. */
export function guardPlugin(limits: LimitsConfig): ApolloServerPlugin<{ caller: Caller }> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return; // no such operation: execution reports it, nothing runs
          try {
            checkOperation(
              { schema, document, operation, variables: request.variables ?? {}, caller: contextValue.caller },
              limits,
            );
          } catch (err) {
            throw err instanceof DomainError ? toGraphQLError(err, true) : err;
          }
        },
      };
    },
  };
}
