/**
 * Run progress events (DESIGN §7 `runEvents`). The run lifecycle (src/lifecycle) writes each
 * state transition and its event in one statement; `publishRunEvent` remains for events that
 * describe no stored state (tests, scripts). Every API process on the same database delivers them
 * to its `runEvents` subscribers. The payload carries the run id and the stored fields; the
 * subscription resolver fills the rest from the run's row.
 *
 * This module loads no GraphQL code, so a worker can import it cheaply.
 */
import { Client } from 'pg';
import type { RunStatus } from './states';
import { publishEvent, type Queryable } from '../events/bus';
import { TOPICS } from '../events/topics';

export const RUN_EVENTS = TOPICS.RUN_EVENTS;

/** What travels over NOTIFY: the run id plus the fields that changed. */
export interface RunEventPayload {
  runId: string;
  status?: RunStatus;
  step?: number;
  totalSteps?: number | null;
  progress?: number;
  phase?: string | null;
  /** latest values of logged scalars, e.g. { loss: 0.7 }. */
  metrics?: Record<string, number> | null;
  message?: string | null;
  /** ISO time of the event; set by publishRunEvent when missing. */
  at?: string;
}

/**
 * Publishes a run event. `db` is a pg Client/Pool or TypeORM DataSource of the server's database,
 * or its connection string (a client is opened and closed for this one event).
 */
export async function publishRunEvent(db: Queryable | string, event: RunEventPayload): Promise<void> {
  const payload = { ...event, at: event.at ?? new Date().toISOString() };
  if (typeof db !== 'string') return publishEvent(db, RUN_EVENTS, payload);
  const client = new Client({ connectionString: db });
  await client.connect();
  try {
    await publishEvent(client, RUN_EVENTS, payload);
  } finally {
    await client.end();
  }
}
