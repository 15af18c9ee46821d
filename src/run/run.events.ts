/**
 * Run progress events (DESIGN §7 `runEvents`). Any process — an API server, a worker, a script —
 * publishes with `publishRunEvent`; every API process on the same database delivers it to its
 * `runEvents` subscribers. The payload carries ids and what changed; the subscription resolver
 * fills the rest from the run's row.
 */
import { GraphQLJSONObject } from 'graphql-scalars';
import { Client } from 'pg';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { publishEvent, type Queryable } from '../graphql/pubsub';
import { RunStatus } from './run.enums';

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

@ObjectType({ description: 'A change in a run: progress, a phase change, logged metrics, or a final status.' })
export class RunEvent {
  @Field(() => ID, { description: 'The run that changed.' })
  runId!: string;

  @Field(() => RunStatus, { description: 'Status at the time of the event.' })
  status!: RunStatus;

  @Field(() => Int, { description: 'Steps done.' })
  step!: number;

  @Field(() => Int, { nullable: true, description: 'Steps in total, when known.' })
  totalSteps!: number | null;

  @Field(() => Float, { description: 'Fraction done, 0..1.' })
  progress!: number;

  @Field(() => String, { nullable: true, description: 'Current phase.' })
  phase!: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Scalars logged with this event, by name (e.g. {"loss": 0.71}).' })
  metrics!: Record<string, number> | null;

  @Field(() => String, { nullable: true, description: 'Human-readable note (e.g. an error message).' })
  message!: string | null;

  @Field({ description: 'When the event was published.' })
  at!: Date;
}
