import { Arg, Float, ID, Int, Query, Resolver } from 'type-graphql';
import { TrainingMode, WeightInit } from '../evaluation/evaluation.enums';
import { Ticket } from '../ticket/ticket.entity';
import { PruningMethod } from '../ticket/ticket.enums';
import { AnalysisService } from './analysis.service';
import { CurvePoint, TransferMatrix } from './analysis.types';
import { RetrainingRule } from '../ticket/ticket.enums';

const STEPS = 'Only evaluations with this many fine-tuning steps (all budgets pooled when omitted).';
const RETRAINING =
  'IMP tickets retrained by this rule (tickets of other methods, and IMP tickets stored before rules were recorded, count as REWIND_WEIGHTS).';
const MAX_SEARCH =
  'Only tickets that cost at most this many training steps to find (Ticket.searchSteps; tickets stored before it was recorded are left out).';

@Resolver()
export class AnalysisResolver {
  constructor(private readonly service: AnalysisService) {}

  @Query(() => [CurvePoint], {
    description:
      "Score vs sparsity of a model's tickets on a task: mean ± std over seeds at each exact sparsity, relative to the dense model; the dense point (sparsity 0, `dense: true`) first, then increasing sparsity.",
  })
  sparsityCurve(
    @Arg('modelId', () => ID, { description: 'The model the tickets are masks over.' }) modelId: string,
    @Arg('taskId', () => ID, { description: 'The task evaluated on.' }) taskId: string,
    @Arg('method', () => PruningMethod, { defaultValue: 'IMP', description: 'Tickets found by this method.' })
    method: PruningMethod,
    @Arg('weightInit', () => WeightInit, {
      defaultValue: WeightInit.PRETRAINED,
      description:
        'Evaluations with this initialisation of the surviving weights (the dense point uses the same; relativeScore always divides by the dense PRETRAINED mean).',
    })
    weightInit: WeightInit,
    @Arg('trainingMode', () => TrainingMode, {
      defaultValue: TrainingMode.STANDARD,
      description: 'Evaluations with this training mode (the dense reference too).',
    })
    trainingMode: TrainingMode,
    @Arg('sourceTaskId', () => ID, {
      nullable: true,
      description: 'Tickets found on this task (default: taskId; e.g. the PRETRAIN task for pre-training tickets).',
    })
    sourceTaskId: string | null,
    @Arg('steps', () => Int, { nullable: true, description: STEPS }) steps: number | null,
    @Arg('maxSearchSteps', () => Int, { nullable: true, description: MAX_SEARCH }) maxSearchSteps: number | null,
    @Arg('retraining', () => RetrainingRule, { defaultValue: RetrainingRule.REWIND_WEIGHTS, description: RETRAINING })
    retraining: RetrainingRule,
  ): Promise<CurvePoint[]> {
    return this.service.sparsityCurve({
      modelId,
      taskId,
      method,
      weightInit,
      trainingMode,
      sourceTaskId,
      steps,
      maxSearchSteps,
      retraining,
    });
  }

  @Query(() => [Ticket], {
    description:
      'Winning tickets on a task, highest sparsity first: tickets whose mean score (PRETRAINED init, over their evaluations) is ≥ threshold × the dense mean score (relaxed), or ≥ the dense mean itself (strict). Empty while the task has no dense evaluation.',
  })
  winningTickets(
    @Arg('modelId', () => ID, { description: 'The model the tickets are masks over.' }) modelId: string,
    @Arg('taskId', () => ID, { description: 'The task evaluated on.' }) taskId: string,
    @Arg('threshold', () => Float, {
      defaultValue: 0.99,
      description: 'Least relative score (score ÷ dense mean) of a relaxed winning ticket.',
    })
    threshold: number,
    @Arg('strict', () => Boolean, {
      defaultValue: false,
      description: 'true: strict winning tickets (mean score ≥ dense mean); threshold is then ignored.',
    })
    strict: boolean,
    @Arg('trainingMode', () => TrainingMode, {
      defaultValue: TrainingMode.STANDARD,
      description: 'Evaluations (and dense reference) with this training mode.',
    })
    trainingMode: TrainingMode,
    @Arg('method', () => PruningMethod, {
      nullable: true,
      description: 'Only tickets found by this method (any method when omitted).',
    })
    method: PruningMethod | null,
    @Arg('sourceTaskId', () => ID, { nullable: true, description: 'Tickets found on this task (default: taskId).' })
    sourceTaskId: string | null,
    @Arg('steps', () => Int, { nullable: true, description: STEPS }) steps: number | null,
    @Arg('maxSearchSteps', () => Int, { nullable: true, description: MAX_SEARCH }) maxSearchSteps: number | null,
    @Arg('retraining', () => RetrainingRule, { defaultValue: RetrainingRule.REWIND_WEIGHTS, description: RETRAINING })
    retraining: RetrainingRule,
  ): Promise<Ticket[]> {
    return this.service.winningTickets({
      modelId,
      taskId,
      threshold,
      strict,
      trainingMode,
      method,
      sourceTaskId,
      steps,
      maxSearchSteps,
      retraining,
    });
  }

  @Query(() => TransferMatrix, {
    description: "Source task × target task performance of a model's tickets at one sparsity.",
  })
  transferMatrix(
    @Arg('modelId', () => ID, { description: 'The model the tickets are masks over.' }) modelId: string,
    @Arg('sparsity', () => Float, { description: 'Target sparsity in [0, 1]; tickets within `tolerance` of it count.' })
    sparsity: number,
    @Arg('trainingMode', () => TrainingMode, {
      defaultValue: TrainingMode.STANDARD,
      description: 'Evaluations (and dense reference) with this training mode.',
    })
    trainingMode: TrainingMode,
    @Arg('method', () => PruningMethod, { defaultValue: 'IMP', description: 'Tickets found by this method.' })
    method: PruningMethod,
    @Arg('weightInit', () => WeightInit, {
      defaultValue: WeightInit.PRETRAINED,
      description: 'Evaluations with this weight initialisation.',
    })
    weightInit: WeightInit,
    @Arg('tolerance', () => Float, {
      nullable: true,
      description:
        'Largest |ticket sparsity − sparsity| that counts (default: half a weight, 0.5 ÷ prunableParameterCount).',
    })
    tolerance: number | null,
    @Arg('steps', () => Int, { nullable: true, description: STEPS }) steps: number | null,
  ): Promise<TransferMatrix> {
    return this.service.transferMatrix({ modelId, sparsity, trainingMode, method, weightInit, tolerance, steps });
  }

  @Query(() => Float, {
    description:
      'Jaccard overlap |a ∩ b| ÷ |a ∪ b| of the kept weights of two tickets over the same model (1 for identical masks); BAD_USER_INPUT for masks over different models.',
  })
  maskOverlap(
    @Arg('a', () => ID, { description: 'One ticket.' }) a: string,
    @Arg('b', () => ID, { description: 'The other ticket.' }) b: string,
  ): Promise<number> {
    return this.service.maskOverlap(a, b);
  }
}
