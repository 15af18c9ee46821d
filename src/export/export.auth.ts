/**
 * The one access check of the export routes. Every export handler runs it before reading data.
 * Exports are reads: with auth required, a request without a valid `Authorization: Bearer`
 * token gets 401 UNAUTHENTICATED, one whose token's scope is too low 403 FORBIDDEN — the same
 * tokens and rule as the GraphQL API (src/auth).
 */
import type { Request } from 'express';
import type { Authenticator } from '../auth/authenticator';
import { covers, type Scope } from '../auth/scopes';
import { DomainError } from '../graphql/errors';
import { HttpError } from './export.errors';

/** Throw an HttpError (401/403) to refuse the request. */
export type ExportGuard = (req: Request) => void | Promise<void>;

/** No check: everyone may export (tests of the routes alone). */
export const allowAll: ExportGuard = () => undefined;

/** Exports need a token of `scope` (read) when auth is required; nothing when it is off. */
export function requireScope(auth: Authenticator, scope: Scope = 'read'): ExportGuard {
  return async (req) => {
    let caller;
    try {
      caller = await auth.fromHeader(req.headers.authorization);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'UNAUTHENTICATED') throw new HttpError(401, err.code, err.message);
      throw err;
    }
    if (!covers(caller.scope, scope)) {
      throw new HttpError(403, 'FORBIDDEN', `exports need a token of scope ${scope}; token "${caller.name}" has scope ${caller.scope}`);
    }
  };
}
