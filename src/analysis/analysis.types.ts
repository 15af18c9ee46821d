import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Task } from '../task/task.entity';
import { Ticket } from '../ticket/ticket.entity';

@ObjectType({
  description: 'One point of a sparsity curve: the evaluations at one exact sparsity, pooled over seeds and tickets.',
})
export class CurvePoint {
  @Field(() => Float, { description: 'Exact achieved sparsity of the tickets (0 for the dense model).' })
  sparsity!: number;

  @Field({ description: "True for the dense model's point (no mask); false for the tickets' points." })
  dense!: boolean;

  @Field(() => Float, { description: 'Mean primary-metric score over the evaluations.' })
  score!: number;

  @Field(() => Float, { description: 'Sample standard deviation (n − 1 denominator) of the scores; 0 when n = 1.' })
  scoreStd!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'score ÷ mean score of the dense model (no mask, PRETRAINED init) on the same model, task and training mode (dense ÷ score for a loss metric, so more is better); null while no dense evaluation exists.',
  })
  relativeScore!: number | null;

  @Field(() => Int, { description: 'Number of evaluations pooled into this point.' })
  n!: number;

  @Field(() => Int, { description: 'Number of distinct tickets pooled into this point (0 for the dense point).' })
  tickets!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Mean training steps it cost to find the tickets of this point (Ticket.searchSteps; 0 for the dense point; null when not recorded): the cost axis of a curve.',
  })
  searchSteps!: number | null;
}

@ObjectType({
  description: 'One cell of a transfer matrix: tickets found on a source task, fine-tuned and tested on a target task.',
})
export class TransferCell {
  @Field(() => Task, { description: 'The task the tickets were found on.' })
  source!: Task;

  @Field(() => Task, { description: 'The task they were fine-tuned and tested on.' })
  target!: Task;

  @Field(() => Ticket, {
    nullable: true,
    description:
      'The ticket evaluated, when exactly one ticket contributes to the cell; null when several do (see `tickets`).',
  })
  ticket!: Ticket | null;

  @Field(() => [Ticket], {
    description: 'Every ticket contributing to the cell (several when several runs found one at this sparsity).',
  })
  tickets!: Ticket[];

  @Field(() => Float, { description: "Mean score on the target task over the cell's evaluations." })
  score!: number;

  @Field(() => Float, { description: 'Sample standard deviation of those scores; 0 when n = 1.' })
  scoreStd!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'score ÷ mean dense score on the target task, same model and training mode (dense ÷ score for a loss metric); null without a dense evaluation.',
  })
  relativeScore!: number | null;

  @Field(() => Int, { description: 'Number of evaluations pooled into the cell.' })
  n!: number;
}

@ObjectType({ description: 'How tickets found on each source task perform on each target task, at one sparsity.' })
export class TransferMatrix {
  @Field(() => Float, { description: 'The requested sparsity.' })
  sparsity!: number;

  @Field(() => [Task], { description: 'Source tasks (rows), built-in tasks first in kind order.' })
  sources!: Task[];

  @Field(() => [Task], { description: 'Target tasks (columns), built-in tasks first in kind order.' })
  targets!: Task[];

  @Field(() => [TransferCell], {
    description: 'The cells that have evaluations, row by row; missing pairs have no cell.',
  })
  cells!: TransferCell[];
}
