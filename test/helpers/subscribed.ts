/**
 * Waiting until a runEvents subscription is in place on the server, instead of sleeping: graphql-ws
 * sends nothing when a subscribe has been registered, and an event published before that is
 * (by design, DESIGN §1) missed. So probe events are published until one comes back on every
 * subscription that is waited for; subscribers drop the probes (step PROBE_STEP, message
 * PROBE_MESSAGE) of their own run, so tests see only their own events.
 */
import { randomUUID } from 'crypto';
import { Client } from 'pg';
import { publishRunEvent, type RunEventPayload } from '../../src/lifecycle/run-events';

export const PROBE_STEP = -1;
export const PROBE_MESSAGE = 'test: subscription probe';

/** A probe for subscribers of `runId`, or (null) of every run: then for a run that does not exist. */
export function probeEvent(runId: string | null): RunEventPayload {
  // A run id with no row needs a status: the resolver re-reads the rest from the row.
  return runId
    ? { runId, step: PROBE_STEP, message: PROBE_MESSAGE }
    : { runId: randomUUID(), status: 'QUEUED' as RunEventPayload['status'], step: PROBE_STEP, message: PROBE_MESSAGE };
}

/** Whether a received event is a probe (fields the subscription did not select are undefined). */
export function isProbe(e: { step?: unknown; message?: unknown } | null | undefined): boolean {
  return !!e && e.step === PROBE_STEP && (e.message === undefined || e.message === PROBE_MESSAGE);
}

/**
 * Publishes `probe()` on the database every 50 ms until `arrived()` holds (checked every 5 ms);
 * throws after timeoutMs. Resolves with the number of probes sent.
 */
export async function publishUntil(
  databaseUrl: string,
  probe: () => RunEventPayload,
  arrived: () => boolean,
  timeoutMs = 10_000,
): Promise<number> {
  const db = new Client({ connectionString: databaseUrl, application_name: 'ticketlab-test-probe' });
  await db.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (let sent = 1; ; sent++) {
      await publishRunEvent(db, probe());
      const next = Math.min(Date.now() + 50, deadline);
      while (!arrived() && Date.now() < next) await new Promise((r) => setTimeout(r, 5));
      if (arrived()) return sent;
      if (Date.now() >= deadline)
        throw new Error(`the subscription was not in place within ${timeoutMs} ms (${sent} probe events sent)`);
    }
  } finally {
    await db.end();
  }
}
