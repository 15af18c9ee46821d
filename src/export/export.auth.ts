/**
 * The one access check of the export routes. Every export handler runs it before reading data.
 * Exports are reads: when tokens and scopes exist, this is where a request without a valid
 * `Authorization: Bearer` token of scope read (or higher) gets 401/403 — the same rule as the API.
 */
import type { Request } from 'express';

/** Throw an HttpError (401/403) to refuse the request. */
export type ExportGuard = (req: Request) => void | Promise<void>;

/** No authentication exists yet: everyone may export. */
export const allowAll: ExportGuard = () => undefined;
