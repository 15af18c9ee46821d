/**
 * The last error handler of every route: Express's own would answer an HTML page with a stack
 * in the log (a malformed percent-encoding in a path is a URIError, status 400). Client errors
 * are JSON `{ error, message }` like the export routes'; anything else is logged once, without
 * detail to the client.
 */
import type { ErrorRequestHandler } from 'express';

export function jsonErrors(log: (line: string) => void): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const status =
      (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message =
        err instanceof URIError ? 'the request path is not valid percent-encoding' : 'the request could not be read';
      res.status(status).json({ error: 'BAD_REQUEST', message });
      return;
    }
    log(`request ${req.method} ${req.path} failed: ${err instanceof Error ? err.message : String(err)}`);
    res.status(500).json({ error: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
  };
}
