/**
 * Helpers for the run tests: a runEvents subscriber that timestamps arrivals, polling a run to a
 * status, a tiny pre-trained model made through the real pretrainModel mutation, and `ticketlab
 * worker` child processes.
 */
import { spawn, type ChildProcess } from 'child_process';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { MAIN_JS, type TestServer } from './server';
import { isProbe, probeEvent, publishUntil } from './subscribed';

export interface RunEventData {
  runId: string;
  status: string;
  step: number;
  totalSteps: number | null;
  progress: number;
  phase: string | null;
  metrics: Record<string, number> | null;
  message: string | null;
  at: string;
}

export interface Received extends RunEventData {
  receivedAt: number;
}

export interface EventLog {
  events: Received[];
  of(runId: string): Received[];
  /** Resolves once `cond` holds for the events received so far (polled); throws after timeoutMs. */
  until(cond: (events: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Subscribes to every run's events; resolves once the subscription is in place (a probe event came back). */
export async function subscribeRunEvents(server: TestServer): Promise<EventLog> {
  let connected!: () => void;
  const ready = new Promise<void>((r) => (connected = r));
  const client: Client = createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    on: { connected: () => connected() },
  });
  await ready;
  const events: Received[] = [];
  let probed = false;
  client.subscribe<{ runEvents: RunEventData }>(
    { query: 'subscription { runEvents { runId status step totalSteps progress phase metrics message at } }' },
    {
      next: (r) => {
        const e = r.data?.runEvents;
        if (!e) return;
        // Probes (made up for runs that do not exist) are not logged: the log holds the runs' events only.
        if (isProbe(e)) probed = true;
        else events.push({ ...e, receivedAt: Date.now() });
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  await publishUntil(
    server.databaseUrl,
    () => probeEvent(null),
    () => probed,
  );
  return {
    events,
    of: (id) => events.filter((e) => e.runId === id),
    async until(cond, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!cond(events)) {
        if (Date.now() > deadline)
          throw new Error(`run events: condition not met within ${timeoutMs} ms (${events.length} events received)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => client.dispose() as Promise<void>,
  };
}

export interface RunState {
  id: string;
  status: string;
  error: string | null;
  step: number;
  totalSteps: number | null;
  attempts: number;
  phase: string | null;
}

const RUN_FIELDS = 'id status error step totalSteps attempts phase';

export async function runState(server: TestServer, id: string): Promise<RunState> {
  const r = await server.gql<{ run: RunState }>(`query($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`, { id });
  if (!r.data?.run) throw new Error(`run ${id}: ${JSON.stringify(r.errors)}`);
  return r.data.run;
}

/** Polls until the run reaches one of `statuses` (or fails the test after timeoutMs). */
export async function waitForRun(
  server: TestServer,
  id: string,
  statuses: string[],
  timeoutMs = 60_000,
  cond?: (r: RunState) => boolean,
): Promise<RunState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await runState(server, id);
    if (statuses.includes(r.status) && (!cond || cond(r))) return r;
    if (['FAILED', 'SUCCEEDED', 'CANCELLED'].includes(r.status) && !statuses.includes(r.status)) {
      throw new Error(`run ${id} ended ${r.status} (${r.error ?? ''}) while waiting for ${statuses.join('/')}`);
    }
    if (Date.now() > deadline) throw new Error(`run ${id} still ${r.status} (${r.phase}) after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 150));
  }
}

/** A model config small enough that a fine-tune step takes a few milliseconds. */
export const TINY_MODEL_CONFIG = { layers: 1, hidden: 16, heads: 2, intermediate: 32, regionFeatureDim: 8, dropout: 0 };

/** Pre-trains a tiny model through the API (a real PRETRAIN run) and returns its id. */
export async function pretrainTinyModel(server: TestServer, name: string): Promise<string> {
  const r = await server.gql<{ pretrainModel: { id: string } }>(
    `mutation($c: ModelConfigInput) { pretrainModel(input: { name: "${name}", config: $c, steps: 10, corpusSize: 200 }) { id } }`,
    { c: TINY_MODEL_CONFIG },
  );
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  await waitForRun(server, r.data.pretrainModel.id, ['SUCCEEDED']);
  const m = await server.gql<{ models: Array<{ id: string; name: string }> }>('{ models { id name } }');
  return m.data!.models.find((x) => x.name === name)!.id;
}

export async function taskIdOf(server: TestServer, kind: string): Promise<string> {
  const r = await server.gql<{ tasks: Array<{ id: string; kind: string }> }>('{ tasks { id kind } }');
  return r.data!.tasks.find((t) => t.kind === kind)!.id;
}

export interface WorkerProcess {
  proc: ChildProcess;
  output(): string;
  /** resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts `ticketlab worker` on a server's database and artifact store; resolves when it is ready. */
export async function startWorkerProcess(server: TestServer, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, [MAIN_JS, 'worker'], {
    env: { ...process.env, TICKETLAB_HOME: server.home, DATABASE_URL: server.databaseUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/worker ready/.test(out)) {
    if (proc.exitCode !== null) throw new Error(`worker exited with ${proc.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`worker did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, output: () => out, exited };
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** Unpacks a stored bit-packed mask (LSB-first, 1 = kept). */
export function maskBits(bytes: Buffer, bits: number): Uint8Array {
  const out = new Uint8Array(bits);
  for (let i = 0; i < bits; i++) out[i] = (bytes[i >> 3] >> (i & 7)) & 1;
  return out;
}
