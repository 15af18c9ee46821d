/**
 * The stored instability analyses of a ticket (or of the dense network) on a task: one result
 * per INSTABILITY run and rewind step, so a researcher can read the error barrier against the
 * rewind point and choose where to rewind.
 */
import { Arg, Field, Float, ID, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { isUuid } from '../kit/ids';
import { BadInputError } from '../kit/errors';

@ObjectType({ description: 'One instability analysis: the line between two copies trained from θ_r.' })
export class InstabilityResult {
  @Field(() => ID, { description: 'The INSTABILITY run that computed it.' })
  runId!: string;

  @Field(() => ID, { nullable: true, description: 'The ticket whose mask the copies trained under (null: dense).' })
  ticketId!: string | null;

  @Field(() => Int, { description: 'r: the copies started from the dense fine-tune after r steps (0 = θ0).' })
  rewindStep!: number;

  @Field(() => Int, { description: "Each copy's training steps." })
  steps!: number;

  @Field(() => [Int], { description: "The two copies' data-order seeds." })
  seeds!: number[];

  @Field(() => [Float], { description: 'Interpolation weights of the second copy: 0, 0.1, …, 1.' })
  alphas!: number[];

  @Field(() => [Float], { description: "The task's primary metric on the test split at each alpha." })
  scores!: number[];

  @Field(() => Float, {
    description:
      'Error barrier: how much worse the worst interpolation is than the mean of the two ends, in the primary metric (mean(ends) − min for scores, max − mean(ends) for a loss); ≈ 0 means the copies are linearly connected (stable).',
  })
  barrier!: number;
}

const NIL = '00000000-0000-0000-0000-000000000000';

/** Reads the stored analyses (the resolver stays a thin call). */
export class InstabilityService {
  constructor(private readonly ds: DataSource) {}

  async list(modelId: string, taskId: string, ticketId: string | null): Promise<InstabilityResult[]> {
    for (const [name, v] of [
      ['modelId', modelId],
      ['taskId', taskId],
      ['ticketId', ticketId],
    ] as const)
      if (v !== null && !isUuid(v)) throw new BadInputError(`${name}: ${JSON.stringify(v)} is not an id`);
    const rows = (await this.ds.query(
      `SELECT run_id, ticket_id, rewind_step, steps, seeds, alphas, scores, barrier FROM instability
        WHERE model_id = $1 AND task_id = $2 AND COALESCE(ticket_id, '${NIL}'::uuid) = COALESCE($3::uuid, '${NIL}'::uuid)
        ORDER BY rewind_step, created_at, id`,
      [modelId, taskId, ticketId],
    )) as Array<{
      run_id: string;
      ticket_id: string | null;
      rewind_step: number;
      steps: number;
      seeds: number[];
      alphas: number[];
      scores: number[];
      barrier: number;
    }>;
    return rows.map((r) => ({
      runId: r.run_id,
      ticketId: r.ticket_id,
      rewindStep: r.rewind_step,
      steps: r.steps,
      seeds: r.seeds,
      alphas: r.alphas.map(Number),
      scores: r.scores.map(Number),
      barrier: Number(r.barrier),
    }));
  }
}

@Resolver()
export class InstabilityResolver {
  constructor(private readonly service: InstabilityService) {}

  @Query(() => [InstabilityResult], {
    description: 'Stored instability analyses of a ticket (or the dense network) on a task, by rewind step then age.',
  })
  instability(
    @Arg('modelId', () => ID, { description: 'The model θ0.' }) modelId: string,
    @Arg('taskId', () => ID, { description: 'The task the copies trained and were tested on.' }) taskId: string,
    @Arg('ticketId', () => ID, { nullable: true, description: 'The ticket (null: the dense network).' })
    ticketId: string | null,
  ): Promise<InstabilityResult[]> {
    return this.service.list(modelId, taskId, ticketId);
  }
}
