import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { connectionType, PageArgs, type Connection } from '../kit/connection';
import type { Context } from '../kit/context';
import { Evaluation } from '../evaluation/evaluation.entity';
import { Model } from '../model/model.entity';
import { Run } from '../run/run.entity';
import { Task } from '../task/task.entity';
import { LayerSparsity, Ticket } from './ticket.entity';
import { TicketFilter } from './ticket.input';
import { maskPath, TicketService } from './ticket.service';
import { EarlyBirdSearch } from './ticket.search';

export const TicketConnection = connectionType('Ticket', Ticket, 'ticket');

@Resolver(() => Ticket)
export class TicketResolver {
  constructor(private readonly service: TicketService) {}

  @Query(() => TicketConnection, { description: 'Stored tickets, newest first, filtered and paginated.' })
  tickets(
    @Arg('filter', () => TicketFilter, { nullable: true, description: 'Only tickets matching all given fields.' })
    filter: TicketFilter | null,
    @Args(() => PageArgs) page: PageArgs,
  ): Promise<Connection<Ticket>> {
    return this.service.list(filter, page);
  }

  @Query(() => Ticket, { nullable: true, description: 'One ticket by id; a NOT_FOUND error when there is none.' })
  ticket(@Arg('id', () => ID, { description: "The ticket's id." }) id: string): Promise<Ticket> {
    return this.service.get(id);
  }

  @FieldResolver(() => Model, { description: 'The model whose prunable weights the mask covers.' })
  async model(@Root() t: Ticket, @Ctx() ctx: Context): Promise<Model | null> {
    return ctx.loaders.load(Model, t.modelId);
  }

  @FieldResolver(() => Task, {
    nullable: true,
    description: 'The task the mask was found on (PRETRAIN for pre-training tickets).',
  })
  task(@Root() t: Ticket, @Ctx() ctx: Context): Promise<Task | null> {
    return ctx.loaders.load(Task, t.taskId);
  }

  @FieldResolver(() => Ticket, {
    nullable: true,
    description: "The previous IMP level's ticket (this mask ⊆ its mask).",
  })
  parent(@Root() t: Ticket, @Ctx() ctx: Context): Promise<Ticket | null> {
    return ctx.loaders.load(Ticket, t.parentId);
  }

  @FieldResolver(() => Run, { nullable: true, description: 'The run that produced the ticket.' })
  run(@Root() t: Ticket, @Ctx() ctx: Context): Promise<Run | null> {
    return ctx.loaders.load(Run, t.runId);
  }

  @FieldResolver(() => [Evaluation], {
    description: 'Every evaluation of this mask, on any task and setting, oldest first.',
  })
  evaluations(@Root() t: Ticket, @Ctx() ctx: Context): Promise<Evaluation[]> {
    return this.service.evaluations(t, ctx);
  }

  @FieldResolver(() => [LayerSparsity])
  layerSparsity(@Root() t: Ticket, @Ctx() ctx: Context): Promise<LayerSparsity[]> {
    return this.service.layerSparsity(t, ctx);
  }

  @FieldResolver(() => EarlyBirdSearch, {
    nullable: true,
    description: 'How the Early-Bird search that found it ended (EARLY_BIRD tickets only).',
  })
  earlyBird(@Root() t: Ticket): EarlyBirdSearch | null {
    return t.method === 'EARLY_BIRD' && t.search ? (t.search as unknown as EarlyBirdSearch) : null;
  }

  @FieldResolver(() => String, {
    description:
      "Path (on this server) of the mask as a safetensors file of uint8 0/1 tensors named like the model's parameters.",
  })
  maskUrl(@Root() t: Ticket): string {
    return maskPath(t.id);
  }
}
