import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { RunEvent } from './run-event.type';
import { RUN_EVENTS, type RunEventPayload } from '../lifecycle/run-events';
import { BadInputError } from '../kit/errors';
import { isUuid } from '../kit/ids';
import { RunService } from './run.service';

@Resolver(() => RunEvent)
export class RunEventResolver {
  constructor(private readonly service: RunService) {}

  @Subscription(() => RunEvent, {
    // Checked when the subscription starts: a runId that cannot be a run's would stay silent forever.
    topics: ({ args }: { args: { runId?: string | null } }) => {
      if (args.runId != null && !isUuid(args.runId))
        throw new BadInputError(`runId ${JSON.stringify(args.runId)} is not a run id`);
      return RUN_EVENTS;
    },
    filter: ({ payload, args }: { payload: RunEventPayload; args: { runId?: string | null } }) =>
      !args.runId || payload.runId === args.runId,
    description:
      'Progress, metrics and status changes of one run (or of every run when runId is null), from any process on the database.',
  })
  runEvents(
    @Root() payload: RunEventPayload,
    @Arg('runId', () => ID, { nullable: true, description: 'The run to follow; null follows every run.' })
    _runId: string | null,
  ): Promise<RunEvent> {
    return this.service.eventFromPayload(payload);
  }
}
