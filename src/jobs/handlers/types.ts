import type { DataSource, EntityManager } from 'typeorm';
import type { ArtifactStore } from '../../artifacts/store';
import type { ClaimedRun } from '../../lifecycle/run-lifecycle';
import type { ComputeMessage, ComputeSpec } from '../compute/protocol';
import type { RunReporter } from '../reporter';

/** What a handler gets for one execution of one run. */
export interface RunContext {
  ds: DataSource;
  run: ClaimedRun;
  reporter: RunReporter;
  artifacts: ArtifactStore;
  signal: AbortSignal;
  log(line: string): void;
  /** A transaction that holds the run row; throws when the run is no longer ours (cancelled, taken over). */
  write<T>(fn: (m: EntityManager) => Promise<T>): Promise<T>;
  /** Runs a computation in a worker thread; messages are handled in order. */
  compute(spec: ComputeSpec, onMessage: (m: ComputeMessage) => Promise<void>): Promise<void>;
}

/** One run kind's job: resumable, it checks what is stored before computing anything. */
export interface RunHandler {
  kind: 'PRETRAIN' | 'PRUNE' | 'EVALUATE' | 'INSTABILITY';
  execute(ctx: RunContext): Promise<void>;
}
