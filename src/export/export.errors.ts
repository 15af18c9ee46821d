/** Errors of the export routes, answered as JSON `{ error, message }` with their HTTP status. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isDatabaseUnavailable } from '../kit/unavailable';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../kit/errors';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) =>
  new HttpError(404, 'NOT_FOUND', `${what} ${JSON.stringify(id)} not found`);
export const badRequest = (message: string) => new HttpError(400, 'BAD_USER_INPUT', message);

/**
 * Wraps an async handler: known errors become their status; anything else is logged and answered
 * 500 without details (no stack traces); once the body has started, the connection is cut so the
 * client sees a truncated download rather than a file that looks complete.
 */
export function handle(
  fn: (req: Request, res: Response) => Promise<void>,
  log: (err: unknown) => void,
): RequestHandler {
  return (req: Request, res: Response, _next: NextFunction) => {
    fn(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        log(err);
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        res.status(err.status).json({ error: err.code, message: err.message });
        return;
      }
      if (isDatabaseUnavailable(err)) {
        res.status(503).json({ error: 'SERVICE_UNAVAILABLE', message: DATABASE_UNAVAILABLE_MESSAGE });
        return;
      }
      log(err);
      res.status(500).json({ error: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
    });
  };
}
