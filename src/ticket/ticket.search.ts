import { Field, Float, Int, ObjectType } from 'type-graphql';

/** How an Early-Bird search ended (stored on its tickets as `search`). */
@ObjectType({ description: 'How the Early-Bird search that found a ticket ended.' })
export class EarlyBirdSearch {
  @Field({
    description:
      'true: the stop rule was met (the largest mask distance over the last `window` draws below `tolerance`); false: the search budget ran out first and the last draw was taken.',
  })
  converged!: boolean;

  @Field(() => Int, { description: 'Training steps of the dense search when it stopped (the ticket’s searchSteps).' })
  stoppedAtStep!: number;

  @Field(() => Int, { description: 'The search’s budget: the dense fine-tune it stopped early.' })
  budget!: number;

  @Field(() => Int, { description: 'Masks drawn (one per interval).' })
  draws!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Largest mask distance over the final window (null: one draw only).',
  })
  windowMax!: number | null;

  @Field(() => Int, { description: 'Steps between draws.' })
  interval!: number;

  @Field(() => Int, { description: 'Draws the rule looks back over.' })
  window!: number;

  @Field(() => Float, { description: 'Largest distance that counts as settled.' })
  tolerance!: number;
}
