import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { RunStatus } from './run.enums';

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

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Scalars logged with this event, by name (e.g. {"loss": 0.71}).',
  })
  metrics!: Record<string, number> | null;

  @Field(() => String, { nullable: true, description: 'Human-readable note (e.g. an error message).' })
  message!: string | null;

  @Field({ description: 'When the event was published.' })
  at!: Date;
}
