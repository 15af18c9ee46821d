import { Arg, Args, Ctx, FieldResolver, Float, ID, Query, Resolver, Root } from 'type-graphql';
import { connectionType, PageArgs, type Connection } from '../kit/connection';
import type { Context } from '../kit/context';
import { Model } from '../model/model.entity';
import { Run } from '../run/run.entity';
import { Task } from '../task/task.entity';
import { Ticket } from '../ticket/ticket.entity';
import { Evaluation } from './evaluation.entity';
import { EvaluationFilter } from './evaluation.input';
import { EvaluationService } from './evaluation.service';

export const EvaluationConnection = connectionType('Evaluation', Evaluation, 'evaluation');

@Resolver(() => Evaluation)
export class EvaluationResolver {
  constructor(private readonly service: EvaluationService) {}

  @Query(() => EvaluationConnection, { description: 'Stored evaluations, newest first, filtered and paginated.' })
  evaluations(
    @Arg('filter', () => EvaluationFilter, {
      nullable: true,
      description: 'Only evaluations matching all given fields.',
    })
    filter: EvaluationFilter | null,
    @Args(() => PageArgs) page: PageArgs,
  ): Promise<Connection<Evaluation>> {
    return this.service.list(filter, page);
  }

  @Query(() => Evaluation, {
    nullable: true,
    description: 'One evaluation by id; a NOT_FOUND error when there is none.',
  })
  evaluation(@Arg('id', () => ID, { description: "The evaluation's id." }) id: string): Promise<Evaluation> {
    return this.service.get(id);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'ADVERSARIAL evaluations: the attack they were trained with (e.g. "pgd3 eps 0.017/0.28 alpha 1 beta 1": PGD steps, ε for words / regions, the adversarial and KL weights); results of different attacks are never pooled. Null for STANDARD.',
  })
  attack(@Root() e: Evaluation): string | null {
    return e.attack ? e.attack : null;
  }

  @FieldResolver(() => Model, { description: 'The model fine-tuned.' })
  model(@Root() e: Evaluation, @Ctx() ctx: Context): Promise<Model | null> {
    return ctx.loaders.load(Model, e.modelId);
  }

  @FieldResolver(() => Ticket, { nullable: true, description: 'The mask applied; null for the dense model.' })
  ticket(@Root() e: Evaluation, @Ctx() ctx: Context): Promise<Ticket | null> {
    return ctx.loaders.load(Ticket, e.ticketId);
  }

  @FieldResolver(() => Task, { description: 'The task trained and tested on.' })
  task(@Root() e: Evaluation, @Ctx() ctx: Context): Promise<Task | null> {
    return ctx.loaders.load(Task, e.taskId);
  }

  @FieldResolver(() => Run, { nullable: true, description: 'The run that produced it.' })
  run(@Root() e: Evaluation, @Ctx() ctx: Context): Promise<Run | null> {
    return ctx.loaders.load(Run, e.runId);
  }

  @FieldResolver(() => Float, {
    nullable: true,
    description:
      "score ÷ mean dense score (no ticket, PRETRAINED init) of the same model, task, training mode and steps (dense ÷ score for a loss metric such as PRETRAIN's, so more is better); null while no such dense evaluation exists.",
  })
  relativeScore(@Root() e: Evaluation, @Ctx() ctx: Context): Promise<number | null> {
    return this.service.relativeScore(e, ctx);
  }
}
