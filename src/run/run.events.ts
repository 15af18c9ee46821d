/**
 * Run progress events (DESIGN §7 `runEvents`). Any process — an API server, a worker, a script —
 * publishes with `publishRunEvent`; every API process on the same database delivers it to its
 * `runEvents` subscribers. The payload carries ids and what changed; the subscription resolver
 * fills the rest from the run's row.
 *
 * This module loads no GraphQL code, so a worker can import it cheaply.
 */
import { Client } from 'pg';
import { publishEvent, type Queryable } from '../graphql/pubsub';
import type { RunStatus } from './run.enums';

export const RUN_EVENTS = 'RUN_EVENTS';

/** What travels over NOTIFY: the run id plus the fields that changed. */
export interface RunEventPayload {
  runId: string;
  status?: RunStatus;
  step?: number;
  totalSteps?: number | null;
  progress?: number;
  phase?: string | null;
  /** latest values of logged scalars, e.g. { loss: 0.7 }. */
  metrics?: Record<string, number>;
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
