import { Arg, Args, Ctx, Field, FieldResolver, Float, ID, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Evaluation } from '../evaluation/evaluation.entity';
import { EvaluationService } from '../evaluation/evaluation.service';
import { connectionType, PageArgs, type Connection } from '../kit/connection';
import type { Context } from '../kit/context';
import { Ticket } from '../ticket/ticket.entity';
import { TicketService } from '../ticket/ticket.service';
import { Run } from './run.entity';
import { RunFilter } from './run.input';
import { DEFAULT_SERIES_POINTS, MAX_SERIES_POINTS, RunService, type MetricSeriesData } from './run.service';

@ObjectType('MetricPoint', { description: 'One logged value of a metric series.' })
export class MetricPointType {
  @Field(() => Int, { description: 'Training step at which it was logged.' })
  step!: number;

  @Field(() => Float, { description: 'The logged value.' })
  value!: number;
}

@ObjectType({ description: 'The history of one scalar a run logged (loss, lr, val/score, sparsity, …).' })
export class MetricSeries {
  @Field({ description: 'Metric name.' })
  name!: string;

  @Field(() => [MetricPointType], { description: 'Points by increasing step (downsampled; first and last kept).' })
  points!: MetricPointType[];
}

export const RunConnection = connectionType('Run', Run, 'run');

@Resolver(() => Run)
export class RunResolver {
  constructor(
    private readonly service: RunService,
    private readonly ticketService: TicketService,
    private readonly evaluationService: EvaluationService,
  ) {}

  @Query(() => RunConnection, { description: 'Runs, newest first, filtered and paginated.' })
  runs(
    @Arg('filter', () => RunFilter, { nullable: true, description: 'Only runs matching all given fields.' })
    filter: RunFilter | null,
    @Args(() => PageArgs) page: PageArgs,
  ): Promise<Connection<Run>> {
    return this.service.list(filter, page);
  }

  @Query(() => Run, { nullable: true, description: 'One run by id; a NOT_FOUND error when there is none.' })
  run(@Arg('id', () => ID, { description: "The run's id." }) id: string): Promise<Run> {
    return this.service.get(id);
  }

  @FieldResolver(() => [MetricSeries], { description: 'Logged metric history, one series per name, sorted by name.' })
  metrics(
    @Root() run: Run,
    @Arg('names', () => [String], { nullable: true, description: 'Only these metric names (all when omitted).' })
    names: string[] | null,
    @Arg('points', () => Int, {
      nullable: true,
      description: `Most points per series (default ${DEFAULT_SERIES_POINTS}, 2..${MAX_SERIES_POINTS}).`,
    })
    points: number | null,
  ): Promise<MetricSeriesData[]> {
    return this.service.metrics(run.id, names, points);
  }

  @FieldResolver(() => [Ticket], { description: 'Tickets this run produced, by level.' })
  tickets(@Root() run: Run): Promise<Ticket[]> {
    return this.ticketService.forRun(run.id);
  }

  @FieldResolver(() => [Evaluation], { description: 'Evaluations this run produced.' })
  evaluations(@Root() run: Run): Promise<Evaluation[]> {
    return this.evaluationService.forRun(run.id);
  }

  @FieldResolver(() => Run, { nullable: true, description: 'The run that spawned this one.' })
  parent(@Root() run: Run, @Ctx() ctx: Context): Promise<Run | null> {
    return ctx.loaders.load(Run, run.parentId);
  }

  @FieldResolver(() => [Run], {
    description: "Runs spawned by this one (e.g. a TRANSFER run's EVALUATE runs), oldest first.",
  })
  children(@Root() run: Run): Promise<Run[]> {
    return this.service.children(run.id);
  }
}
