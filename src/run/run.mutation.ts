import { Arg, ID, Mutation, Resolver } from 'type-graphql';
import { Run } from './run.entity';
import { EvaluateInput, InstabilityInput, PretrainInput, PruningInput, TransferInput } from './run.launch.input';
import { LaunchService } from './run.launch';

/** The experiment mutations (DESIGN §7). Each returns the Run that does (or did) the work. */
@Resolver()
export class RunMutationResolver {
  constructor(private readonly launch: LaunchService) {}

  @Mutation(() => Run, {
    description: 'Pre-train a new model θ0 on the PRETRAIN task; the run registers the Model when it succeeds.',
  })
  pretrainModel(
    @Arg('input', () => PretrainInput, { description: 'Name, encoder shape, steps and seed.' }) input: PretrainInput,
  ): Promise<Run> {
    return this.launch.pretrain(input);
  }

  @Mutation(() => Run, {
    description:
      'Find tickets of a model on a task by IMP (one per level), ONE_SHOT or RANDOM pruning (one per sparsity).',
  })
  startPruning(
    @Arg('input', () => PruningInput, { description: 'Model, task, method, sparsities and training budget.' })
    input: PruningInput,
  ): Promise<Run> {
    return this.launch.prune(input);
  }

  @Mutation(() => Run, { description: 'Fine-tune and test a ticket (or the dense model) on a task, once per seed.' })
  evaluate(
    @Arg('input', () => EvaluateInput, {
      description: 'Model, task, ticket (null = dense), init, mode, steps and seeds.',
    })
    input: EvaluateInput,
  ): Promise<Run> {
    return this.launch.evaluate(input);
  }

  @Mutation(() => Run, {
    description:
      'Instability analysis of a ticket (or the dense network) at some rewind steps: an INSTABILITY run; its results are `instability(...)`.',
  })
  startInstability(
    @Arg('input', () => InstabilityInput, {
      description: 'Model, task, ticket (null = dense), rewind steps, steps and the two seeds.',
    })
    input: InstabilityInput,
  ): Promise<Run> {
    return this.launch.instability(input);
  }

  @Mutation(() => Run, {
    description:
      'Evaluate tickets on target tasks: a TRANSFER run whose children are EVALUATE runs, with the dense baselines it needs.',
  })
  runTransfer(
    @Arg('input', () => TransferInput, { description: 'Model, tickets, target tasks, mode, steps and seeds.' })
    input: TransferInput,
  ): Promise<Run> {
    return this.launch.transfer(input);
  }

  @Mutation(() => Run, {
    description:
      'Cancel a QUEUED or RUNNING run (and its children); results it already stored are kept. CONFLICT when it has finished.',
  })
  cancelRun(@Arg('id', () => ID, { description: 'The run to cancel.' }) id: string): Promise<Run> {
    return this.launch.cancel(id);
  }

  @Mutation(() => Run, {
    description:
      'Queue a FAILED or CANCELLED run again; it resumes after the results it already stored. CONFLICT otherwise.',
  })
  retryRun(@Arg('id', () => ID, { description: 'The run to retry.' }) id: string): Promise<Run> {
    return this.launch.retry(id);
  }
}
