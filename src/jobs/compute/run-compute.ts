/**
 * Runs one ComputeSpec in a worker thread (or a child process) and hands its messages, in order, to an async handler
 * (which stores results). Resolves when the thread is done and every message is handled; rejects
 * with the thread's error, or the handler's. An abort (cancel, lost claim) terminates the thread
 * at once: V8 stops it mid-step, and what it had not posted is simply lost.
 */
import { fork } from 'child_process';
import type { EventEmitter } from 'events';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { ComputeMessage, ComputeSpec } from './protocol';

export class ComputeAborted extends Error {
  constructor(reason: string) {
    super(`computation stopped: ${reason}`);
    this.name = 'ComputeAborted';
  }
}

/** Where computations run: worker threads (default), or child processes (the tensorflow backend). */
export type ComputeMode = 'thread' | 'process';

interface Runner {
  events: EventEmitter;
  stop(): void;
}

function start(mode: ComputeMode, spec: ComputeSpec, backend: string | null): Runner {
  const entry = path.join(__dirname, 'thread.js');
  if (mode === 'thread') {
    const w = new Worker(entry, { workerData: { spec, backend } });
    return { events: w, stop: () => void w.terminate() };
  }
  // 'advanced' serialization carries the typed arrays (masks, weights) like postMessage does.
  const child = fork(entry, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send({ spec, backend });
  return { events: child, stop: () => void child.kill('SIGKILL') };
}

export function runCompute(
  spec: ComputeSpec,
  backend: string | null,
  signal: AbortSignal,
  onMessage: (m: ComputeMessage) => Promise<void>,
  mode: ComputeMode = 'thread',
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new ComputeAborted(String(signal.reason ?? 'aborted')));
    const runner = start(mode, spec, backend);
    let settled = false;
    let chain = Promise.resolve();
    const settle = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      runner.stop();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = (): void => settle(new ComputeAborted(String(signal.reason ?? 'aborted')));
    signal.addEventListener('abort', onAbort);
    runner.events.on('message', (m: ComputeMessage) => {
      chain = chain
        .then(async () => {
          if (settled) return;
          if (m.type === 'failed') return settle(new Error(m.message));
          if (m.type === 'done') return settle(null);
          await onMessage(m);
        })
        .catch((e: unknown) => settle(e instanceof Error ? e : new Error(String(e))));
    });
    runner.events.on('error', (e: Error) => {
      void chain.then(() => settle(e));
    });
    runner.events.on('exit', (code: number | null) => {
      void chain.then(() => settle(new Error(`compute thread exited (code ${code}) before finishing`)));
    });
  });
}
