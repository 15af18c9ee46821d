/**
 * Executes one run for a worker: claim the row, keep its heartbeat, watch for a cancel or a
 * takeover (1 s poll), hand the work to the kind's handler, then finish the row. A run we lose
 * (cancelled, taken over) stops its computation at once and writes nothing more.
 */
import type { DataSource } from 'typeorm';
import { isDatabaseUnavailable } from '../kit/unavailable';
import { ArtifactStore } from '../artifacts/store';
import * as lifecycle from '../lifecycle/run-lifecycle';
import { ComputeAborted, runCompute, type ComputeMode } from './compute/run-compute';
import { handlerFor } from './handlers/registry';
import type { RunContext } from './handlers/types';
import { RunReporter } from './reporter';
import { provenanceOf } from './provenance';

export interface RunnerOptions {
  ds: DataSource;
  home: string;
  backend: string | null;
  heartbeatMs: number;
  staleMs: number;
  /** how often ownership is re-checked (a cancel is noticed within this, plus the thread stop). */
  ownershipPollMs?: number;
  computeMode: ComputeMode;
  /** runs this process holds now (id → claim token), so a shutdown can hand them back. */
  active: Map<string, string>;
  log(line: string): void;
}

export class LostRun extends Error {
  constructor(runId: string) {
    super(`run ${runId} is no longer held by this worker (cancelled or taken over)`);
    this.name = 'LostRun';
  }
}

export async function executeRun(o: RunnerOptions, runId: string): Promise<void> {
  const run = await lifecycle.claim(o.ds, runId, o.staleMs);
  if (!run) return; // cancelled, finished, or held by a live worker: nothing to do
  o.active.set(run.id, run.token);
  o.log(`run ${run.id} (${run.kind}) started, attempt ${run.attempts}`);
  const abort = new AbortController();
  const reporter = new RunReporter(o.ds, run.id, run.token, o.log);
  const lose = (why: string): void => {
    reporter.close();
    if (!abort.signal.aborted) abort.abort(why);
  };
  const hb = setInterval(() => {
    lifecycle.heartbeat(o.ds, run.id, run.token).then(
      (ok) => !ok && lose('lost'),
      (e) => o.log(`run ${run.id}: heartbeat failed: ${String(e)}`),
    );
  }, o.heartbeatMs);
  const poll = setInterval(() => {
    lifecycle.stillOwned(o.ds, run.id, run.token).then(
      (ok) => !ok && lose('lost'),
      () => undefined,
    );
  }, o.ownershipPollMs ?? 1000);
  const ctx: RunContext = {
    ds: o.ds,
    run,
    reporter,
    artifacts: new ArtifactStore(o.home),
    signal: abort.signal,
    log: o.log,
    write: (fn) =>
      o.ds.transaction(async (m) => {
        if (!(await lifecycle.lockOwned(m, run.id, run.token))) {
          lose('lost');
          throw new LostRun(run.id);
        }
        return fn(m);
      }),
    compute: (spec, onMessage) =>
      runCompute(
        spec,
        o.backend,
        abort.signal,
        async (m) => {
          // What produced the results, as the computation itself reports its backend.
          if (m.type === 'ready')
            await lifecycle.recordProvenance(o.ds, run.id, run.token, provenanceOf(m)).catch(() => undefined);
          return onMessage(m);
        },
        o.computeMode,
      ),
  };
  let outcome: { status: 'SUCCEEDED' | 'FAILED'; error: string | null } | null = null;
  try {
    await handlerFor(run.kind).execute(ctx);
    outcome = { status: 'SUCCEEDED', error: null };
  } catch (e) {
    if (e instanceof LostRun || e instanceof ComputeAborted || abort.signal.aborted) {
      o.log(`run ${run.id}: stopped (no longer ours)`);
    } else if (isDatabaseUnavailable(e)) {
      // Not the run's fault: it keeps its claim without heartbeats, goes stale and is resumed
      // from what it stored (a FAILED written once the database is back would end it wrongly).
      o.log(
        `run ${run.id}: database unavailable (${e instanceof Error ? e.message : String(e)}); it resumes once its heartbeat is stale`,
      );
    } else {
      // Stored and shown to clients: the server's own paths are not theirs to see.
      const message = e instanceof Error ? e.message : String(e);
      outcome = { status: 'FAILED', error: message.split(o.home).join('$TICKETLAB_HOME') };
    }
  } finally {
    o.active.delete(run.id);
    clearInterval(hb);
    clearInterval(poll);
    await reporter.drain();
  }
  if (outcome && (await lifecycle.finish(o.ds, run.id, run.token, outcome.status, outcome.error))) {
    o.log(`run ${run.id}: ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`);
  }
  await lifecycle.settleParent(o.ds, run.parentId);
}
