/**
 * Operations in flight per caller (a token, or the client address when auth is off): at most
 * `limit` run at once, the next `queue` wait for a slot, more are refused (429
 * TOO_MANY_REQUESTS). One client cannot take every core and database connection, so a readiness
 * probe and other clients keep answering; `{ health }` and `{ compute }` alone never wait.
 */
import type { RequestHandler, Response } from 'express';
import type { LimitsConfig } from '../config';
import { callerOf } from './http';

interface Slots {
  running: number;
  waiting: Array<() => void>;
}

export function perCallerConcurrency(limits: LimitsConfig): RequestHandler {
  const byCaller = new Map<string, Slots>();
  const release = (key: string, slots: Slots) => {
    const next = slots.waiting.shift();
    if (next) return next();
    slots.running--;
    if (slots.running === 0) byCaller.delete(key);
  };
  return (req, res: Response, next) => {
    if (res.locals.cheap === true) return next();
    const caller = callerOf(res);
    const key = caller.tokenId ?? `ip:${req.socket.remoteAddress ?? '?'}`;
    let slots = byCaller.get(key);
    if (!slots) byCaller.set(key, (slots = { running: 0, waiting: [] }));
    const s = slots;
    let done = false;
    const start = () => {
      res.once('close', () => {
        if (done) return;
        done = true;
        release(key, s);
      });
      next();
    };
    if (s.running < limits.concurrentPerCaller) {
      s.running++;
      return start();
    }
    if (s.waiting.length >= limits.queuedPerCaller) {
      res.status(429).json({
        errors: [
          {
            message: `${s.running} operations of this caller are running and ${s.waiting.length} waiting; this server allows ${limits.concurrentPerCaller} + ${limits.queuedPerCaller}`,
            extensions: { code: 'TOO_MANY_REQUESTS' },
          },
        ],
      });
      return;
    }
    // A client gone while it waited gives its turn on.
    const wake = () => (res.destroyed ? release(key, s) : start());
    s.waiting.push(wake);
  };
}
