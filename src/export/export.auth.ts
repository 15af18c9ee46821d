/**
 * The one access check of the export routes. Every export handler runs it before reading data.
 * Exports are reads: with auth required, a request without a valid `Authorization: Bearer`
 * token gets 401 UNAUTHENTICATED, one whose token's scope is too low 403 FORBIDDEN — the same
 * tokens and rule as the GraphQL API (src/auth/export-guard.ts implements it).
 */
import type { Request } from 'express';

/** Throw an HttpError (401/403) to refuse the request. */
export type ExportGuard = (req: Request) => void | Promise<void>;

/** No check: everyone may export (tests of the routes alone). */
export const allowAll: ExportGuard = () => undefined;
