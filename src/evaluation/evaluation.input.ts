import { Field, ID, InputType } from 'type-graphql';
import { TrainingMode, WeightInit } from './evaluation.enums';

@InputType({ description: 'Narrows `evaluations`; every given field must match.' })
export class EvaluationFilter {
  @Field(() => ID, { nullable: true, description: 'Evaluations of this model.' })
  modelId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Evaluations on this task.' })
  taskId?: string | null;

  @Field(() => ID, { nullable: true, description: "Evaluations of this ticket's mask." })
  ticketId?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only dense (unpruned) evaluations; false: only masked ones.',
  })
  dense?: boolean | null;

  @Field(() => WeightInit, { nullable: true, description: 'Evaluations with this weight initialisation.' })
  weightInit?: WeightInit | null;

  @Field(() => TrainingMode, { nullable: true, description: 'Evaluations with this training mode.' })
  trainingMode?: TrainingMode | null;

  @Field(() => ID, { nullable: true, description: 'Evaluations produced by this run.' })
  runId?: string | null;
}
