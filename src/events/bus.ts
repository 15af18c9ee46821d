/**
 * Event bus over PostgreSQL LISTEN/NOTIFY (DESIGN §1): an event published by any process on the
 * database reaches the subscribers of every API process. Payloads stay small (ids and deltas);
 * subscribers re-read the rows they need. NOTIFY inside a transaction is delivered on commit.
 *
 * Delivery is best effort: while the listener connection is down (it reconnects), events are
 * missed, so clients treat events as hints and re-query state when they reconnect.
 */
import { Client } from 'pg';
import type { PubSub } from 'type-graphql';
import type { Topic } from './topics';

export const EVENTS_CHANNEL = 'ticketlab_events';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const MAX_PAYLOAD_BYTES = 7900;

/** Anything that can run a parameterised query: a pg Client or Pool, a TypeORM DataSource. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

interface Envelope {
  topic: string;
  payload: unknown;
}

/** Publishes one event to every listening API process. Usable from any process. */
export async function publishEvent(db: Queryable, topic: Topic, payload: unknown): Promise<void> {
  const text = JSON.stringify({ topic, payload } satisfies Envelope);
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
    throw new Error(
      `event payload of ${Buffer.byteLength(text)} bytes is too large for NOTIFY; send ids and re-read rows`,
    );
  }
  await db.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, text]);
}

/** A bounded push queue exposed as an AsyncIterator; `return()` unsubscribes. */
class Subscription implements AsyncIterableIterator<unknown> {
  private readonly queue: unknown[] = [];
  private waiting: ((r: IteratorResult<unknown>) => void) | null = null;
  private done = false;

  constructor(private readonly onClose: (s: Subscription) => void) {}

  push(value: unknown): void {
    if (this.done) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w({ value, done: false });
    } else if (this.queue.length < 1000) {
      // A consumer 1000 events behind is stuck; dropping is safer than growing without bound.
      this.queue.push(value);
    }
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift(), done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<unknown>> {
    if (!this.done) {
      this.done = true;
      this.queue.length = 0;
      this.onClose(this);
      this.waiting?.({ value: undefined, done: true });
      this.waiting = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    return this;
  }
}

/** type-graphql PubSub: one dedicated LISTEN connection per API process, local fan-out. */
export class PgPubSub implements PubSub {
  private client: Client | null = null;
  private readonly subscribers = new Map<string, Set<Subscription>>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly publisher: Queryable,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Connects and listens; throws when that fails (the server does not start without its bus). */
  start(): Promise<void> {
    return this.connect(false);
  }

  private async connect(retrying: boolean): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'ticketlab-events' });
    client.on('notification', (msg) => {
      if (msg.channel === EVENTS_CHANNEL && msg.payload) this.dispatch(msg.payload);
    });
    const lost = (why: string) => {
      if (this.client !== client || this.closed) return;
      this.client = null;
      this.log(`event listener connection lost (${why}); reconnecting`);
      client.end().catch(() => undefined);
      this.reconnectTimer = setTimeout(() => void this.connect(true), 1000);
    };
    client.on('error', (err) => lost(err.message));
    client.on('end', () => lost('closed'));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (e) {
      // A retry that fails after connecting (LISTEN refused) gets no 'end' event: retry from here.
      if (retrying) return lost(e instanceof Error ? e.message : String(e));
      if (this.client === client) this.client = null; // a failed first start schedules no retry
      client.end().catch(() => undefined);
      throw e;
    }
  }

  private dispatch(text: string): void {
    let env: Envelope;
    try {
      env = JSON.parse(text) as Envelope;
    } catch {
      return;
    }
    for (const s of this.subscribers.get(env.topic) ?? []) s.push(env.payload);
  }

  publish(routingKey: string, ...args: unknown[]): void {
    void publishEvent(this.publisher, routingKey as Topic, args[0]).catch((e) =>
      this.log(`publish failed: ${String(e)}`),
    );
  }

  subscribe(routingKey: string): AsyncIterable<unknown> {
    const set = this.subscribers.get(routingKey) ?? new Set<Subscription>();
    this.subscribers.set(routingKey, set);
    const sub = new Subscription((s) => set.delete(s));
    set.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const set of this.subscribers.values()) for (const s of [...set]) await s.return();
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
