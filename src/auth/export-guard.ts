/** The token check of the export routes (HTTP status codes instead of GraphQL errors). */
import type { ExportGuard } from '../export/export.auth';
import { HttpError } from '../export/export.errors';
import { DomainError } from '../kit/errors';
import type { Authenticator } from './authenticator';
import { covers, type Scope } from './scopes';

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
      throw new HttpError(
        403,
        'FORBIDDEN',
        `exports need a token of scope ${scope}; token "${caller.name}" has scope ${caller.scope}`,
      );
    }
  };
}
