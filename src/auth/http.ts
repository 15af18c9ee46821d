/**
 * The guard on the HTTP side of /graphql: authentication before the body is read, the
 * operation check as an Apollo plugin, and body-parser failures (too large, not JSON) answered
 * as GraphQL-shaped JSON errors instead of Express's HTML pages.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { LimitsConfig } from '../config';
import { isDatabaseUnavailable } from '../kit/unavailable';
import { DATABASE_UNAVAILABLE_MESSAGE, DomainError, type ErrorCode } from '../kit/errors';
import type { Authenticator } from './authenticator';
import { checkOperation, httpStatus, LOCAL_CALLER, toGraphQLError, type Caller } from './guard';

function sendError(res: Response, status: number, code: ErrorCode | 'BAD_REQUEST', message: string): void {
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

/** After express.json: its errors as JSON (413 PAYLOAD_TOO_LARGE, 400 BAD_REQUEST), no stack. */
export function bodyErrors(limits: LimitsConfig, log: (err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') {
      return sendError(res, 413, 'PAYLOAD_TOO_LARGE', `the request body is larger than this server's limit of ${limits.bodyBytes} bytes`);
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      // body-parser's messages are plain ("Unexpected token … in JSON"), never a stack.
      return sendError(res, e.status, 'BAD_REQUEST', `the request body could not be read: ${e.message ?? e.type ?? 'bad request'}`);
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
            checkOperation({ schema, document, operation, variables: request.variables ?? {}, caller: contextValue.caller }, limits);
          } catch (err) {
            throw err instanceof DomainError ? toGraphQLError(err, true) : err;
          }
        },
      };
    },
  };
}
