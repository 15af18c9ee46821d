/**
 * The computation's end of its link to the job: a worker thread's port, or the IPC channel of a
 * forked process (the tensorflow backend's addon cannot be loaded by a second worker thread, see
 * tensorflow/tfjs#8388, so GPU workers compute in processes).
 */
import { parentPort, workerData } from 'worker_threads';
import type { ComputeMessage, ComputeSpec } from './protocol';

export interface ComputeJob {
  spec: ComputeSpec;
  backend: string | null;
}

const parentAtStart = process.ppid;

export function post(m: ComputeMessage): void {
  if (parentPort) {
    parentPort.postMessage(m);
    return;
  }
  // The job process died (SIGKILL) and this one was re-parented: nobody would store the results.
  if (process.ppid !== parentAtStart) process.exit(1);
  process.send!(m);
}

export function receiveJob(): Promise<ComputeJob> {
  if (parentPort) return Promise.resolve(workerData as ComputeJob);
  return new Promise((resolve) => process.once('message', (m) => resolve(m as ComputeJob)));
}
