/**
 * runEvents over graphql-ws: an event published by a SEPARATE Node process (as a worker will)
 * reaches subscribers on two API processes that share one database.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { insertRun, withDb } from '../helpers/seed';
import { startServer, type TestServer } from '../helpers/server';
import { isProbe, probeEvent, publishUntil } from '../helpers/subscribed';

const PUBLISHER = path.resolve(__dirname, '..', 'helpers', 'publish-event.js');

let a: TestServer;
let b: TestServer;
const clients: Client[] = [];

beforeAll(async () => {
  a = await startServer();
  // A second API instance on the first one's database.
  b = await startServer({ env: { DATABASE_URL: a.databaseUrl } });
});

afterAll(async () => {
  for (const c of clients) await c.dispose();
  await b?.stop();
  await a?.stop();
});

function publishFromOtherProcess(databaseUrl: string, event: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [PUBLISHER, databaseUrl, JSON.stringify(event)], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited with ${code}`))));
  });
}

interface Received {
  runEvents: {
    runId: string;
    status: string;
    step: number;
    totalSteps: number | null;
    progress: number;
    phase: string | null;
    metrics: Record<string, number> | null;
    message: string | null;
    at: string;
  };
}

/** Subscribes and resolves once the subscription is in place (a probe event of its run came back). */
async function subscribe(
  server: TestServer,
  runId: string | null,
): Promise<{ events: Received[]; next: () => Promise<Received> }> {
  let connected!: () => void;
  const ready = new Promise<void>((r) => (connected = r));
  const client = createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    on: { connected: () => connected() },
  });
  clients.push(client);
  await ready;
  const events: Received[] = [];
  const waiters: Array<(e: Received) => void> = [];
  const failures: string[] = [];
  let probed = false;
  client.subscribe<Received>(
    {
      query: `subscription($runId: ID) { runEvents(runId: $runId) { runId status step totalSteps progress phase metrics message at } }`,
      variables: { runId },
    },
    {
      next: (r) => {
        if (r.errors) failures.push(JSON.stringify(r.errors));
        const e = r.data as Received;
        // Probes are dropped where they belong (this run's, or any run's when following every run);
        // one of another run reaching a run's subscriber counts as an event, as it should.
        if (e && isProbe(e.runEvents) && (runId === null || e.runEvents.runId === runId)) {
          probed = true;
          return;
        }
        events.push(e);
        waiters.shift()?.(e);
      },
      error: (err) => failures.push(err instanceof Error ? err.message : JSON.stringify(err)),
      complete: () => undefined,
    },
  );
  await publishUntil(
    server.databaseUrl,
    () => probeEvent(runId),
    () => probed,
  );
  const next = () => {
    const p = new Promise<Received>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event within 10 s ${failures.join('; ')}`)), 10_000);
      timer.unref();
      waiters.push((e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
    p.catch(() => undefined); // awaited later; a failure elsewhere must not leave it unhandled
    return p;
  };
  return { events, next };
}

test('an event published by another process reaches subscribers on both API instances, completed from the run row', async () => {
  const [runX, runY] = await withDb(a.databaseUrl, async (db) => [
    await insertRun(db, 'PRUNE'),
    await insertRun(db, 'EVALUATE'),
  ]);
  const onA = await subscribe(a, runX);
  const onB = await subscribe(b, runX);
  const onlyY = await subscribe(a, runY);
  const every = await subscribe(b, null);

  const gotA = onA.next();
  const gotB = onB.next();
  const gotEvery = every.next();
  await publishFromOtherProcess(a.databaseUrl, {
    runId: runX,
    step: 42,
    progress: 0.42,
    metrics: { loss: 0.5 },
    message: 'level 1',
  });
  for (const e of [await gotA, await gotB, await gotEvery]) {
    // step/progress/metrics/message from the payload; status/totalSteps/phase re-read from the row
    expect(e.runEvents).toMatchObject({
      runId: runX,
      status: 'RUNNING',
      step: 42,
      totalSteps: 100,
      progress: 0.42,
      phase: 'fine-tune',
      metrics: { loss: 0.5 },
      message: 'level 1',
    });
    expect(Number.isNaN(Date.parse(e.runEvents.at))).toBe(false);
  }

  // The runY subscriber saw nothing of run X, and does get its own run's events.
  expect(onlyY.events).toHaveLength(0);
  const gotY = onlyY.next();
  await publishFromOtherProcess(b.databaseUrl, { runId: runY, status: 'SUCCEEDED', step: 100, progress: 1 });
  expect((await gotY).runEvents).toMatchObject({ runId: runY, status: 'SUCCEEDED', progress: 1 });
  expect(onA.events).toHaveLength(1);
  expect(onB.events).toHaveLength(1);
});
