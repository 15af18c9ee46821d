/**
 * Typed domain errors, and the ONE place that turns any error into what a client sees
 * (DESIGN §5): `extensions.code` from a fixed set, never a stack trace.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isDatabaseUnavailable } from './unavailable';

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'INTERNAL_SERVER_ERROR'
  // request limits (src/auth/limits.ts)
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COSTLY'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_SUBSCRIPTIONS'
  // the database is down or restarting: retry later (src/kit/unavailable.ts)
  | 'SERVICE_UNAVAILABLE';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
}

/** A referenced entity does not exist (also: an id that cannot be one). */
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(what: string, id: string) {
    super(`${what} ${JSON.stringify(id)} not found`);
  }
}

/** The request is malformed or out of range. */
export class BadInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
}

/** The request contradicts the current state (e.g. cancelling a finished run). */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}

/** A part the request needs (the database, the job queue) does not answer: retry later. */
export class UnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

/** What a client is told while PostgreSQL cannot be reached (a restart, a failover). */
export const DATABASE_UNAVAILABLE_MESSAGE =
  'the database is not reachable right now; nothing was changed, retry in a few seconds';

/** Codes graphql/Apollo assign themselves before resolvers run (parse, validation, variables). */
const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

let logInternal: (err: unknown) => void = (err) => console.error('[ticketlab] internal error:', err);

/** Where unexpected errors are logged (server side only). */
export function setInternalErrorLogger(fn: (err: unknown) => void): void {
  logInternal = fn;
}

/** Apollo's `formatError`; also applied to subscription results sent over graphql-ws. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const unwrapped = unwrapResolverError(error);
  // A DomainError raised before execution (the request guard) arrives wrapped, without a path.
  const original =
    unwrapped instanceof GraphQLError && unwrapped.originalError instanceof DomainError
      ? unwrapped.originalError
      : unwrapped;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof DomainError) {
    return { ...base, message: original.message, extensions: { code: original.code } };
  }
  // type-graphql wraps argument validation failures; they are the client's fault.
  if (original instanceof Error && original.name === 'ArgumentValidationError') {
    return { ...base, message: original.message, extensions: { code: 'BAD_USER_INPUT' } };
  }
  const code = formatted.extensions?.code;
  if (
    typeof code === 'string' &&
    PASS_THROUGH.has(code) &&
    !(original instanceof Error && !(original instanceof GraphQLError))
  ) {
    return { ...base, extensions: { code } };
  }
  // A GraphQLError raised by graphql-js itself (e.g. a scalar that rejects an input literal).
  if (original instanceof GraphQLError && original.originalError === undefined && code === undefined) {
    return { ...base, extensions: { code: 'BAD_USER_INPUT' } };
  }
  // Not a bug of ours nor of the request: say so, with a code a client can retry on.
  if (isDatabaseUnavailable(original)) {
    return { ...base, message: DATABASE_UNAVAILABLE_MESSAGE, extensions: { code: 'SERVICE_UNAVAILABLE' } };
  }
  logInternal(original);
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
