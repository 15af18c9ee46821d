import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { FINDING_KEYS } from '../core/experiments/study-findings';
import { Task } from '../task/task.entity';

@ObjectType({ description: 'A score over seeds: one value per seed (evaluation).' })
export class Stat {
  @Field(() => Float, { description: 'Mean of the primary test metric (values summed in ascending order, ÷ n).' })
  mean!: number;

  @Field(() => Float, { nullable: true, description: 'Sample standard deviation (n − 1); null for one value.' })
  std!: number | null;

  @Field(() => Int, { description: 'Number of evaluations (seeds).' })
  n!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Half-width of the 95% confidence interval of the mean (Student t, n − 1 degrees of freedom); null when n < 2.',
  })
  ci95!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'mean ÷ the dense mean of the same task at the same budget (dense ÷ mean for a loss); null without a dense score.',
  })
  relative!: number | null;
}

@ObjectType({ description: 'A Stat at one sparsity.' })
export class SparsityStat {
  @Field(() => Float, { description: 'Target sparsity of the IMP schedule.' })
  sparsity!: number;

  @Field(() => Stat, { description: 'The tickets of that sparsity over seeds.' })
  stat!: Stat;
}

@ObjectType({
  description:
    "Table 1 for one task: the dense model, the winning tickets and the baselines at the task's baseline sparsity.",
})
export class StudyTaskRow {
  @Field(() => Task, { description: 'The task.' })
  task!: Task;

  @Field(() => Stat, { nullable: true, description: 'The dense model (IMP level 0) over seeds.' })
  dense!: Stat | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Highest sparsity whose IMP tickets keep ≥ threshold × the dense mean (means over seeds); null when none does or the curve is incomplete.',
  })
  relaxedSparsity!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Highest sparsity whose IMP tickets reach the dense mean; null when none does.',
  })
  strictSparsity!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "Where the baselines run and are compared: the relaxed sparsity, or the schedule's lowest when no ticket is relaxed.",
  })
  baselineSparsity!: number | null;

  @Field(() => Stat, { nullable: true, description: 'IMP tickets at the baseline sparsity.' })
  imp!: Stat | null;

  @Field(() => Stat, { nullable: true, description: 'Random pruning at the baseline sparsity.' })
  randomPruning!: Stat | null;

  @Field(() => Stat, { nullable: true, description: 'The IMP mask on θ0 shuffled within each layer.' })
  shuffledWeights!: Stat | null;

  @Field(() => Stat, { nullable: true, description: 'The IMP mask on a random initialisation.' })
  randomInit!: Stat | null;

  @Field(() => Stat, { nullable: true, description: 'One-shot magnitude pruning of θ0.' })
  oneShot!: Stat | null;

  @Field(() => Stat, {
    nullable: true,
    description:
      'EARLY_BIRD tickets at the baseline sparsity (planned with the EARLY_BIRD baseline): a cheap ticket beside IMP.',
  })
  earlyBird!: Stat | null;

  @Field(() => [SparsityStat], { description: 'The IMP curve: every schedule sparsity with stored tickets.' })
  curve!: SparsityStat[];
}

@ObjectType({ description: 'The pre-training ticket on one target task.' })
export class TransferRowCell {
  @Field(() => Task, { description: 'Target task.' })
  target!: Task;

  @Field(() => Float, { description: 'Mean score over seeds.' })
  score!: number;

  @Field(() => Float, { nullable: true, description: 'score ÷ the dense mean on the target.' })
  relativeScore!: number | null;

  @Field(() => Int, { description: 'Evaluations (seeds).' })
  n!: number;

  @Field(() => Stat, { description: 'The full statistic.' })
  stat!: Stat;
}

@ObjectType({ description: 'Table 2, one sparsity (0 = the dense model).' })
export class TransferRow {
  @Field(() => Float, { description: 'Sparsity of the pre-training ticket (0 = dense).' })
  sparsity!: number;

  @Field(() => [TransferRowCell], { description: 'One cell per target task with stored evaluations.' })
  cells!: TransferRowCell[];

  @Field(() => Float, { nullable: true, description: 'Mean of the cells’ relative scores.' })
  averageRelative!: number | null;

  @Field(() => Float, { nullable: true, description: '1 − averageRelative (the paper’s "avg. drop").' })
  averageDrop!: number | null;

  @Field(() => Stat, {
    nullable: true,
    description: 'Each seed’s average relative score, over seeds: the spread of averageRelative.',
  })
  seedAverages!: Stat | null;
}

@ObjectType({ description: 'Table 5, one cell: the pre-training ticket with and without adversarial training.' })
export class AdversarialRow {
  @Field(() => Float, { description: 'Sparsity of the pre-training ticket.' })
  sparsity!: number;

  @Field(() => Task, { description: 'The task.' })
  task!: Task;

  @Field(() => Stat, { nullable: true, description: 'Standard fine-tuning.' })
  standard!: Stat | null;

  @Field(() => Stat, { nullable: true, description: 'Adversarial (VILLA-style) fine-tuning.' })
  adversarial!: Stat | null;
}

@ObjectType({
  description:
    "Mask overlap (Jaccard) of the study's IMP tickets of each pair of tasks at one sparsity, PRETRAIN included.",
})
export class OverlapMatrix {
  @Field(() => Float, { description: 'The sparsity.' })
  sparsity!: number;

  @Field(() => [Task], { description: 'Rows and columns, in order.' })
  tasks!: Task[];

  @Field(() => [[Float]], {
    description:
      'values[i][j]: mean over seeds of |m_i ∩ m_j| / |m_i ∪ m_j| of the two tasks’ tickets of the same seed (1 on the diagonal).',
  })
  values!: number[][];
}

export const FindingKey = Object.freeze(Object.fromEntries(FINDING_KEYS.map((k) => [k, k])));
export type FindingKey = (typeof FINDING_KEYS)[number];
registerEnumType(FindingKey, {
  name: 'FindingKey',
  description: 'A finding of the paper (Gan et al., AAAI 2022), as this server tests it.',
  valuesConfig: {
    RELAXED_TICKETS: { description: 'Relaxed winning tickets exist at 50–70% sparsity on every task (finding 2).' },
    STRICT_TICKETS: { description: 'Tickets that strictly match the dense model are hard to find (finding 1).' },
    IMP_BEATS_RANDOM: { description: 'IMP tickets beat random pruning, shuffled weights and random init (Table 1).' },
    PRETRAINING_TICKET_TRANSFERS: {
      description: 'The pre-training ticket transfers universally: 98% / 96% of dense at 60% / 70% (finding 3).',
    },
    ADVERSARIAL_HELPS: { description: 'Adversarial training lifts the pre-training ticket (finding 4, Table 5).' },
  },
});

@ObjectType({
  description:
    "A finding of the paper decided from the study's numbers. Threshold findings (RELAXED_TICKETS, STRICT_TICKETS, PRETRAINING_TICKET_TRANSFERS) compare means over seeds with the threshold, as the paper does; comparison findings (IMP_BEATS_RANDOM, ADVERSARIAL_HELPS) hold only where the gap of the means exceeds √(ci95a² + ci95b²); with one seed the means decide and the evidence says so.",
})
export class Finding {
  @Field(() => FindingKey, { description: 'Which finding.' })
  key!: FindingKey;

  @Field({ description: 'The claim, as tested.' })
  statement!: string;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Whether the numbers support it; null while they are not all stored.',
  })
  holds!: boolean | null;

  @Field({ description: 'The numbers it was decided on.' })
  evidence!: string;
}

@ObjectType({ description: 'What a study costs.' })
export class StudyCost {
  @Field(() => Int, { description: 'Runs the study uses so far (started or reused).' })
  runs!: number;

  @Field(() => Int, { description: 'Of those, runs that existed already (identical requests): computed once, shared.' })
  reusedRuns!: number;

  @Field(() => Float, { description: 'Training steps done by the runs this study started (reused runs excluded).' })
  trainingSteps!: number;

  @Field(() => Float, {
    description: 'Wall seconds of the runs this study started, summed (started → finished, or now).',
  })
  computeSeconds!: number;
}

@ObjectType({ description: 'One combination of code and machine that computed some of the study’s runs.' })
export class StudyProvenance {
  @Field(() => String, { nullable: true, description: 'Package version.' })
  version!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Git commit ("+modified" with local changes); null outside git.',
  })
  commit!: string | null;

  @Field({ description: 'tfjs backend.' })
  backend!: string;

  @Field({ description: 'Device.' })
  device!: string;

  @Field({ description: 'Kernel set.' })
  kernels!: string;

  @Field({ description: 'Worker process (host:pid).' })
  worker!: string;

  @Field(() => Int, { description: 'Runs computed so.' })
  runs!: number;
}

@ObjectType({
  description: "A study's results as the paper's tables, from stored evaluations only (partial while it runs).",
})
export class StudyReport {
  @Field(() => ID, { description: 'The study.' })
  studyId!: string;
}
