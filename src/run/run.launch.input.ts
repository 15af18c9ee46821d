import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { TrainingMode, WeightInit } from '../evaluation/evaluation.enums';
import {
  EVALUATE_DEFAULTS,
  INSTABILITY_DEFAULTS,
  MAX_STEPS,
  PRETRAIN_DEFAULTS,
  PRUNE_DEFAULTS,
  TRANSFER_DEFAULTS,
} from '../core/experiments/params';
import { PruningMethod, RetrainingRule } from '../ticket/ticket.enums';

// Defaults and bounds quoted from the experiment description (src/core/experiments), never retyped.
const P = PRUNE_DEFAULTS;
const E = EVALUATE_DEFAULTS;
const T = TRANSFER_DEFAULTS;
const I = INSTABILITY_DEFAULTS;

@InputType({
  description:
    "Shape of a new UNITER-style encoder (pretrainModel). Every field defaults to the shipped mini-uniter's.",
})
export class ModelConfigInput {
  @Field(() => Int, { nullable: true, description: 'Transformer layers (1..24).' })
  layers?: number | null;

  @Field(() => Int, { nullable: true, description: 'Hidden size (divisible by heads, ≤ 1024).' })
  hidden?: number | null;

  @Field(() => Int, { nullable: true, description: 'Attention heads per layer.' })
  heads?: number | null;

  @Field(() => Int, { nullable: true, description: 'Feed-forward intermediate size (≤ 4096).' })
  intermediate?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "Word-level vocabulary size; at least the built-in vocabulary's size.",
  })
  vocabSize?: number | null;

  @Field(() => Int, { nullable: true, description: 'Dimension of each region feature vector.' })
  regionFeatureDim?: number | null;

  @Field(() => Int, { nullable: true, description: 'Longest text in tokens, including [CLS] and [SEP].' })
  maxTextLength?: number | null;

  @Field(() => Int, { nullable: true, description: 'Most image regions per example.' })
  maxRegions?: number | null;

  @Field(() => Float, { nullable: true, description: 'Dropout probability in training, in [0, 1).' })
  dropout?: number | null;
}

@InputType({
  description:
    'The Early-Bird search of an EARLY_BIRD run: a dense fine-tune from θ0 whose global magnitude masks are drawn every `interval` steps; it stops when the largest normalised Hamming distance between consecutive draws, over the last `window` draws and every target sparsity, is below `tolerance`.',
})
export class EarlyBirdInput {
  @Field(() => Int, { nullable: true, description: 'Steps between draws (default: 20 draws over searchSteps).' })
  interval?: number | null;

  @Field(() => Int, { nullable: true, description: `Draws the stop rule looks back over (default ${P.window}).` })
  window?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `Largest distance that counts as settled, in (0, 1] (default ${P.tolerance}).`,
  })
  tolerance?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `The search's budget, a dense fine-tune it stops early (default stepsPerLevel; at most ${MAX_STEPS}).`,
  })
  searchSteps?: number | null;
}

@InputType({ description: 'Pre-train a new model θ0 on the built-in PRETRAIN task (MLM + ITM + MRM).' })
export class PretrainInput {
  @Field({ description: 'Unique name of the model to create.' })
  name!: string;

  @Field(() => ModelConfigInput, {
    nullable: true,
    description: "Encoder shape; omitted fields take the shipped model's values.",
  })
  config?: ModelConfigInput | null;

  @Field(() => Int, {
    nullable: true,
    description: `Pre-training steps (default ${PRETRAIN_DEFAULTS.steps}, at most ${MAX_STEPS}).`,
  })
  steps?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Seed of initialisation, batch order and masking (default ${PRETRAIN_DEFAULTS.seed}).`,
  })
  seed?: number | null;

  @Field(() => Float, { nullable: true, description: "Peak learning rate (default the PRETRAIN task's)." })
  lr?: number | null;

  @Field(() => Int, { nullable: true, description: "Batch size (default the PRETRAIN task's)." })
  batchSize?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Examples in the synthetic pre-training corpus (default the built-in size).',
  })
  corpusSize?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Start a new run even when an identical one is queued, running or succeeded.',
  })
  force?: boolean | null;
}

@InputType({
  description:
    'Find tickets of a model on a task: IMP (one ticket per level) or a one-shot / random baseline (one per sparsity).',
})
export class PruningInput {
  @Field(() => ID, { description: 'The model θ0 to prune.' })
  modelId!: string;

  @Field(() => ID, { description: 'The task to fine-tune on (PRETRAIN for pre-training tickets).' })
  taskId!: string;

  @Field(() => PruningMethod, { nullable: true, description: `How masks are found (default ${P.method}).` })
  method?: PruningMethod | null;

  @Field(() => [Float], {
    nullable: true,
    description: `Target sparsities, each in (0, 1), as fractions of the prunable weights; strictly increasing for IMP (default ${P.sparsities[0]}, ${P.sparsities[1]}, …, ${P.sparsities[P.sparsities.length - 1]}).`,
  })
  sparsities?: number[] | null;

  @Field(() => Int, { nullable: true, description: "Fine-tune steps per level / per sparsity (default the task's)." })
  stepsPerLevel?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `IMP rewinding: 0 rewinds to θ0, r > 0 to the weights after r steps of level 0 (default ${P.rewindStep}).`,
  })
  rewindStep?: number | null;

  @Field(() => Int, { nullable: true, description: `Seed of fine-tuning and random masks (default ${P.seed}).` })
  seed?: number | null;

  @Field(() => TrainingMode, {
    nullable: true,
    description: `Standard or adversarial fine-tuning (default ${P.trainingMode}).`,
  })
  trainingMode?: TrainingMode | null;

  @Field(() => Float, { nullable: true, description: "Peak learning rate (default the task's)." })
  lr?: number | null;

  @Field(() => Int, { nullable: true, description: "Batch size (default the task's)." })
  batchSize?: number | null;

  @Field(() => RetrainingRule, {
    nullable: true,
    description: `IMP only: how levels ≥ 1 retrain after each pruning step (default ${P.retrain}).`,
  })
  retraining?: RetrainingRule | null;

  @Field(() => EarlyBirdInput, { nullable: true, description: 'EARLY_BIRD only: the search and its stop rule.' })
  earlyBird?: EarlyBirdInput | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Start a new run even when an identical one is queued, running or succeeded.',
  })
  force?: boolean | null;
}

@InputType({ description: 'Fine-tune and test a ticket (or the dense model) on a task, once per seed.' })
export class EvaluateInput {
  @Field(() => ID, { description: 'The model θ0.' })
  modelId!: string;

  @Field(() => ID, { description: 'The task to fine-tune and test on.' })
  taskId!: string;

  @Field(() => ID, { nullable: true, description: 'The ticket whose mask to apply; null evaluates the dense model.' })
  ticketId?: string | null;

  @Field(() => WeightInit, {
    nullable: true,
    description: `Initial values of the surviving weights (default ${E.weightInit}).`,
  })
  weightInit?: WeightInit | null;

  @Field(() => TrainingMode, {
    nullable: true,
    description: `Standard or adversarial fine-tuning (default ${E.trainingMode}).`,
  })
  trainingMode?: TrainingMode | null;

  @Field(() => Int, { nullable: true, description: "Fine-tune steps (default the task's)." })
  steps?: number | null;

  @Field(() => [Int], { nullable: true, description: `Seeds, one evaluation each (default [${E.seeds.join(', ')}]).` })
  seeds?: number[] | null;

  @Field(() => Float, { nullable: true, description: "Peak learning rate (default the task's)." })
  lr?: number | null;

  @Field(() => Int, { nullable: true, description: "Batch size (default the task's)." })
  batchSize?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Start a new run even when an identical one is queued, running or succeeded.',
  })
  force?: boolean | null;
}

@InputType({
  description:
    'Evaluate tickets on other tasks: one EVALUATE child run per (ticket, task), plus the dense baseline of each task when it is missing.',
})
export class TransferInput {
  @Field(() => ID, { description: 'The model the tickets are masks over.' })
  modelId!: string;

  @Field(() => [ID], { description: 'Tickets to transfer (found on any task, PRETRAIN included).' })
  ticketIds!: string[];

  @Field(() => [ID], { description: 'Target tasks.' })
  taskIds!: string[];

  @Field(() => TrainingMode, {
    nullable: true,
    description: `Standard or adversarial fine-tuning (default ${T.trainingMode}).`,
  })
  trainingMode?: TrainingMode | null;

  @Field(() => Int, { nullable: true, description: "Fine-tune steps on each target (default each task's)." })
  steps?: number | null;

  @Field(() => [Int], { nullable: true, description: `Seeds, one evaluation each (default [${T.seeds.join(', ')}]).` })
  seeds?: number[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Start a new run even when an identical one is queued, running or succeeded.',
  })
  force?: boolean | null;
}

@InputType({
  description:
    'Instability analysis (linear mode connectivity, Frankle et al. 2020) of a ticket, or of the dense network: for each rewind step r, two copies start from θ_r (the dense fine-tune after r steps) under the mask with one head, train with different data orders, and 11 interpolations between them are tested.',
})
export class InstabilityInput {
  @Field(() => ID, { description: 'The model θ0.' })
  modelId!: string;

  @Field(() => ID, { description: 'The task to train and test on.' })
  taskId!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The ticket whose mask both copies train under; null analyses the dense network.',
  })
  ticketId?: string | null;

  @Field(() => [Int], {
    nullable: true,
    description: `Rewind steps r, each ≤ steps (default ${JSON.stringify(I.rewindSteps)}): one analysis per r.`,
  })
  rewindSteps?: number[] | null;

  @Field(() => Int, { nullable: true, description: "Each copy's training steps (default the task's)." })
  steps?: number | null;

  @Field(() => [Int], {
    nullable: true,
    description: `The two copies' data-order seeds, distinct (default ${JSON.stringify(I.seeds)}).`,
  })
  seeds?: number[] | null;

  @Field(() => Float, { nullable: true, description: "Peak learning rate (default the task's)." })
  lr?: number | null;

  @Field(() => Int, { nullable: true, description: "Batch size (default the task's)." })
  batchSize?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Start a new run even when an identical one is queued, running or succeeded.',
  })
  force?: boolean | null;
}
