/**
 * Follows one run to its end: subscribes to its events first, then reads its current state (so
 * no event falls between the two), draws the progress bar, and prints a summary when the run
 * ends. A slow HTTP poll covers events lost while the WebSocket reconnects.
 */
import type { Endpoint } from './args';
import { CliError, EXIT } from './errors';
import { gql } from './http';
import { formatDuration, ProgressView, type Output, type ProgressState } from './progress';
import { subscribeRunEvents, type RunEvent } from './subscribe';
import { printSummary } from './summary';

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
const POLL_MS = 5000;

interface RunNow {
  id: string;
  kind: string;
  status: string;
  step: number;
  totalSteps: number | null;
  progress: number;
  phase: string | null;
  metrics: Array<{ name: string; points: Array<{ step: number; value: number }> }>;
}

const RUN_NOW = `query($id: ID!) { run(id: $id) { id kind status step totalSteps progress phase
  metrics(names: ["loss"], points: 2) { name points { step value } } } }`;

async function runNow(ep: Endpoint, id: string): Promise<RunNow> {
  const d = await gql<{ run: RunNow | null }>(ep, RUN_NOW, { id });
  if (!d.run) throw new CliError(`run "${id}" not found (NOT_FOUND)`, EXIT.SERVER_ERROR);
  return d.run;
}

export function exitCodeOf(status: string): number {
  return status === 'SUCCEEDED' ? EXIT.OK : status === 'CANCELLED' ? EXIT.RUN_CANCELLED : EXIT.RUN_FAILED;
}

export interface WatchOptions {
  out?: Output;
  /** non-TTY: least time between two progress lines */
  intervalMs?: number;
}

export async function watchRun(ep: Endpoint, runId: string, opts: WatchOptions = {}): Promise<number> {
  const out = opts.out ?? process.stdout;
  const view = new ProgressView(out, opts.intervalMs ?? 1000);
  const started = Date.now();
  let state: ProgressState | null = null;
  let lastEventAt = Date.now();
  let finish!: (status: string) => void;
  let fail!: (e: CliError) => void;
  const ended = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  ended.catch(() => undefined); // handled where awaited; this keeps an early failure from counting as unhandled

  const apply = (s: ProgressState, read = false) => {
    if (state && FINAL.has(state.status)) return;
    // An HTTP read can be older than the last event; events come in order (a retried run may
    // really step back: those are shown).
    if (read && state && s.status === state.status && s.step < state.step) return;
    state = s;
    view.update(s);
    if (FINAL.has(s.status)) finish(s.status);
  };
  const fromRun = (r: RunNow) =>
    apply(
      {
        status: r.status,
        step: r.step,
        totalSteps: r.totalSteps,
        progress: r.progress,
        phase: r.phase,
        loss: r.metrics.find((m) => m.name === 'loss')?.points.at(-1)?.value ?? state?.loss ?? null,
      },
      true,
    );
  const onEvent = (e: RunEvent) => {
    lastEventAt = Date.now();
    apply({
      status: e.status,
      step: e.step,
      totalSteps: e.totalSteps,
      progress: e.progress,
      phase: e.phase,
      loss: e.metrics?.loss ?? state?.loss ?? null,
    });
  };
  // A poll that cannot reach the server is ignored: the WebSocket's retries decide whether it is gone.
  const refresh = (polling = false) =>
    runNow(ep, runId).then(fromRun, (e: unknown) => {
      if (polling && e instanceof CliError && e.exitCode === EXIT.UNAVAILABLE) return;
      fail(e instanceof CliError ? e : new CliError(String(e), EXIT.INTERNAL));
    });

  // Fails fast (before opening a WebSocket) when the run does not exist or the server is down.
  const initial = await runNow(ep, runId);
  out.write(`watching ${initial.kind} run ${runId}\n`);
  const stream = subscribeRunEvents(ep, runId, onEvent, fail, () => void refresh());
  const poll = setInterval(() => {
    if (Date.now() - lastEventAt >= POLL_MS) void refresh(true);
  }, POLL_MS);
  const onSigint = () => fail(new CliError(`stopped watching; run ${runId} goes on on the server`, EXIT.INTERRUPTED));
  process.once('SIGINT', onSigint);
  try {
    await refresh(); // after subscribing: nothing is lost between this read and the first event
    const status = await ended;
    view.end();
    out.write(`run ${runId} ${status} (watched for ${formatDuration((Date.now() - started) / 1000)})\n`);
    await printSummary(ep, runId, out);
    return exitCodeOf(status);
  } catch (err) {
    view.end();
    throw err;
  } finally {
    clearInterval(poll);
    process.removeListener('SIGINT', onSigint);
    await stream.close().catch(() => undefined);
  }
}
