/**
 * Admission of HTTP operations, so that no client or mix of clients can take the process down:
 * - the heap budget (TICKETLAB_HEAP_BUDGET_MB, half of V8's heap limit by default): while the
 *   heap in use is above it, new operations are refused (503 SERVICE_UNAVAILABLE, Retry-After 1)
 *   until the ones in flight finish and the collector catches up;
 * - operations in flight per caller (a token, or the client address when auth is off): at most
 *   `concurrentPerCaller` run at once, the next `queuedPerCaller` wait, more are refused (429
 *   TOO_MANY_REQUESTS), so one client cannot take every core and database connection;
 * - operations in flight in all (`concurrentTotal`), derived from the heap: the headroom above
 *   the budget ÷ what one operation may hold (TICKETLAB_OP_HEAP_MB, 32; the costliest accepted
 *   read measured ~8 MB), so the operations admitted just below the budget fit under V8's limit.
 * `{ health }` and `{ compute }` alone never wait and are never refused: a readiness probe answers.
 */
import { getHeapStatistics } from 'v8';
import type { RequestHandler, Response } from 'express';
import type { LimitsConfig } from '../config';
import { callerOf } from './http';

/** A counting semaphore with a FIFO of waiters; a waiter whose client left passes its turn on. */
class Slots {
  running = 0;
  readonly waiting: Array<() => void> = [];
  constructor(readonly limit: number) {}
  /** Runs `go` now or when a slot frees; false when it would have to wait past `queue` waiters. */
  acquire(go: () => void, queue: number): boolean {
    if (this.running < this.limit) {
      this.running++;
      go();
      return true;
    }
    if (this.waiting.length >= queue) return false;
    this.waiting.push(go);
    return true;
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

export function heapInUseMb(): number {
  return getHeapStatistics().used_heap_size / 2 ** 20;
}

function refuse(res: Response, status: number, code: string, message: string): void {
  if (status === 503) res.setHeader('Retry-After', '1');
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

export function admission(limits: LimitsConfig, heapInUse: () => number = heapInUseMb): RequestHandler {
  const byCaller = new Map<string, Slots>();
  const all = new Slots(limits.concurrentTotal);
  return (req, res: Response, next) => {
    if (res.locals.cheap === true) return next();
    const heap = heapInUse();
    if (heap > limits.heapBudgetMb) {
      return refuse(
        res,
        503,
        'SERVICE_UNAVAILABLE',
        `the server holds ${Math.round(heap)} MB of heap, above its budget of ${limits.heapBudgetMb} MB (TICKETLAB_HEAP_BUDGET_MB); retry in a second`,
      );
    }
    const key = callerOf(res).tokenId ?? `ip:${req.socket.remoteAddress ?? '?'}`;
    let mine = byCaller.get(key);
    if (!mine) byCaller.set(key, (mine = new Slots(limits.concurrentPerCaller)));
    const slots = mine;
    let held = 0; // 1: the caller's slot, 2: both
    const letGo = () => {
      if (held === 2) all.release();
      if (held >= 1) {
        slots.release();
        if (slots.running === 0 && slots.waiting.length === 0) byCaller.delete(key);
      }
      held = 0;
    };
    res.once('close', letGo);
    // A client gone while it waited gives its turn on at once.
    const run = () => {
      held = 2;
      if (res.destroyed) return letGo();
      next();
    };
    const mineGranted = () => {
      held = 1;
      if (res.destroyed) return letGo();
      // Waiting for the global slot is bounded too: by the callers' own queues.
      all.acquire(run, Infinity);
    };
    if (!slots.acquire(mineGranted, limits.queuedPerCaller)) {
      res.removeListener('close', letGo);
      refuse(
        res,
        429,
        'TOO_MANY_REQUESTS',
        `${slots.running} operations of this caller are running and ${slots.waiting.length} waiting; this server allows ${limits.concurrentPerCaller} + ${limits.queuedPerCaller}`,
      );
    }
  };
}
