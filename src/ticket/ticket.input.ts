import { Field, Float, ID, InputType } from 'type-graphql';
import { PruningMethod } from './ticket.enums';

@InputType({ description: 'Narrows `tickets`; every given field must match.' })
export class TicketFilter {
  @Field(() => ID, { nullable: true, description: 'Tickets over this model.' })
  modelId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Tickets found on this task.' })
  taskId?: string | null;

  @Field(() => PruningMethod, { nullable: true, description: 'Tickets found by this method.' })
  method?: PruningMethod | null;

  @Field(() => Float, { nullable: true, description: 'Sparsity at least this (inclusive).' })
  minSparsity?: number | null;

  @Field(() => Float, { nullable: true, description: 'Sparsity at most this (inclusive).' })
  maxSparsity?: number | null;

  @Field(() => ID, { nullable: true, description: 'Tickets produced by this run.' })
  runId?: string | null;
}
