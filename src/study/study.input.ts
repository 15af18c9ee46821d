import { Field, Float, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { STUDY_BASELINES, STUDY_PRESETS, STUDY_PRESET_VALUES } from '../core/experiments/study';
import { RetrainingRule } from '../ticket/ticket.enums';

// The presets' values are quoted from the experiment description (src/core/experiments/study.ts).
const P = STUDY_PRESET_VALUES.PAPER;
const S = STUDY_PRESET_VALUES.SMOKE;
const list = (v: readonly (string | number)[]) => v.join(', ');

export const StudyPreset = Object.freeze(Object.fromEntries(STUDY_PRESETS.map((p) => [p, p]))) as Readonly<
  Record<(typeof STUDY_PRESETS)[number], string>
>;
export type StudyPreset = (typeof STUDY_PRESETS)[number];
registerEnumType(StudyPreset, {
  name: 'StudyPreset',
  description: 'Starting values of a study; every field given explicitly overrides the preset.',
  valuesConfig: {
    PAPER: {
      description: `The paper's protocol: every built-in downstream task, IMP at ${list(P.sparsities)}, baselines ${list(P.baselines)}, the pre-training ticket transferred at ${list(P.transferSparsities)}, task tickets transferred at ${P.taskTransferSparsity}, adversarial training at ${list(P.adversarialSparsities)}, seeds ${list(P.seeds)}, each task's default budget.`,
    },
    SMOKE: {
      description: `A first look in minutes: ${list(S.taskKinds as string[])}, IMP at ${list(S.sparsities)}, baselines ${list(S.baselines)}, transfers at ${list(S.transferSparsities)}, adversarial at ${list(S.adversarialSparsities)}, seed ${list(S.seeds)}, ${S.stepsPerLevel} fine-tune steps.`,
    },
  },
});

export const StudyBaseline = Object.freeze(Object.fromEntries(STUDY_BASELINES.map((b) => [b, b]))) as Readonly<
  Record<(typeof STUDY_BASELINES)[number], string>
>;
export type StudyBaseline = (typeof STUDY_BASELINES)[number];
registerEnumType(StudyBaseline, {
  name: 'StudyBaseline',
  description:
    "A baseline of Table 1, run at each task's relaxed sparsity (or its lowest sparsity when none is relaxed).",
  valuesConfig: {
    RANDOM_PRUNING: { description: 'A random mask of the same sparsity (RANDOM method) on θ0.' },
    SHUFFLED_WEIGHTS: { description: "The IMP ticket's mask on θ0 shuffled within each layer (θ0″)." },
    RANDOM_INIT: {
      description: "The IMP ticket's mask on a fresh random initialisation (the paper's BERT-init θ0′ analogue).",
    },
    ONE_SHOT: { description: 'One-shot magnitude pruning of θ0 to the same sparsity (ONE_SHOT method).' },
    EARLY_BIRD: {
      description:
        'An Early-Bird ticket at the same sparsity (EARLY_BIRD method, default search): a cheap ticket, not a baseline IMP must beat.',
    },
  },
});

@InputType({
  description:
    "A study: the paper's protocol as one request. Fields left out take the preset's values (PAPER when no preset is given).",
})
export class StudyInput {
  @Field({ description: 'A name for the study (1..200 characters); part of its identity.' })
  name!: string;

  @Field(() => StudyPreset, { nullable: true, description: 'Starting values (default PAPER).' })
  preset?: StudyPreset | null;

  @Field(() => ID, { description: 'The pre-trained model θ0.' })
  modelId!: string;

  @Field(() => [ID], {
    nullable: true,
    description: "Downstream tasks (not PRETRAIN). Default: the preset's (PAPER: every built-in downstream task).",
  })
  taskIds?: string[] | null;

  @Field(() => [Float], { nullable: true, description: `IMP schedule, each in (0, 1) (PAPER: ${list(P.sparsities)}).` })
  sparsities?: number[] | null;

  @Field(() => [StudyBaseline], { nullable: true, description: `Table 1 baselines (PAPER: ${list(P.baselines)}).` })
  baselines?: StudyBaseline[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'IMP on PRETRAIN and its transfer to every task (Table 2) and adversarial training (Table 5); default true.',
  })
  pretrainingTicket?: boolean | null;

  @Field(() => [Float], {
    nullable: true,
    description: `Sparsities at which the pre-training ticket is transferred, each in the IMP schedule (PAPER: ${list(P.transferSparsities)}).`,
  })
  transferSparsities?: number[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Transfer each task ticket onto every other task (the transfer matrix); default true.',
  })
  taskTransfer?: boolean | null;

  @Field(() => Float, {
    nullable: true,
    description: `Sparsity of the task tickets transferred, in the IMP schedule (PAPER: ${P.taskTransferSparsity}).`,
  })
  taskTransferSparsity?: number | null;

  @Field(() => [Float], {
    nullable: true,
    description: `Sparsities of the pre-training ticket trained adversarially on every task, in the IMP schedule (PAPER: ${list(P.adversarialSparsities)}).`,
  })
  adversarialSparsities?: number[] | null;

  @Field(() => [Int], {
    nullable: true,
    description: `Seeds; every run is repeated once per seed (PAPER: ${list(P.seeds)}).`,
  })
  seeds?: number[] | null;

  @Field(() => Float, {
    nullable: true,
    description: `Relaxed winning ticket threshold on the relative score, in (0, 1] (PAPER: ${P.threshold}).`,
  })
  threshold?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "Fine-tune steps per IMP level and per baseline run (default each task's own).",
  })
  stepsPerLevel?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "Fine-tune steps of transfers and adversarial evaluations (default each task's own).",
  })
  steps?: number | null;

  @Field(() => RetrainingRule, {
    nullable: true,
    description:
      "IMP's retraining rule for every IMP run of the study (default REWIND_WEIGHTS, the paper's; see RetrainingRule).",
  })
  retraining?: RetrainingRule | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Plan a new study even when an identical one is queued, running or succeeded (its runs are still reused).',
  })
  force?: boolean | null;
}
