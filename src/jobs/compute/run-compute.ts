/**
 * Runs one ComputeSpec in a worker thread and hands its messages, in order, to an async handler
 * (which stores results). Resolves when the thread is done and every message is handled; rejects
 * with the thread's error, or the handler's. An abort (cancel, lost claim) terminates the thread
 * at once: V8 stops it mid-step, and what it had not posted is simply lost.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { ComputeMessage, ComputeSpec } from './protocol';

export class ComputeAborted extends Error {
  constructor(reason: string) {
    super(`computation stopped: ${reason}`);
    this.name = 'ComputeAborted';
  }
}

export function runCompute(
  spec: ComputeSpec,
  backend: string | null,
  signal: AbortSignal,
  onMessage: (m: ComputeMessage) => Promise<void>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new ComputeAborted(String(signal.reason ?? 'aborted')));
    const worker = new Worker(path.join(__dirname, 'thread.js'), { workerData: { spec, backend } });
    let settled = false;
    let chain = Promise.resolve();
    const settle = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = (): void => settle(new ComputeAborted(String(signal.reason ?? 'aborted')));
    signal.addEventListener('abort', onAbort);
    worker.on('message', (m: ComputeMessage) => {
      chain = chain.then(async () => {
        if (settled) return;
        if (m.type === 'failed') return settle(new Error(m.message));
        if (m.type === 'done') return settle(null);
        await onMessage(m);
      }).catch((e: unknown) => settle(e instanceof Error ? e : new Error(String(e))));
    });
    worker.on('error', (e) => {
      void chain.then(() => settle(e));
    });
    worker.on('exit', (code) => {
      void chain.then(() => settle(new Error(`compute thread exited (code ${code}) before finishing`)));
    });
  });
}
