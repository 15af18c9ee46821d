import { Arg, Args, Float, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { TransferMatrix } from '../analysis/analysis.types';
import { BadInputError } from '../kit/errors';
import { connectionType, PageArgs, type Connection } from '../kit/connection';
import { isUuid } from '../kit/ids';
import { Run } from '../run/run.entity';
import { RunConnection } from '../run/run.resolver';
import { STUDY_EVENTS, StudyEvent, type StudyEventPayload } from './study-event';
import { Study } from './study.entity';
import { StudyInput } from './study.input';
import { StudyReportService } from './study.report';
import { StudyService } from './study.service';
import {
  AdversarialRow,
  Finding,
  OverlapMatrix,
  StudyCost,
  StudyProvenance,
  StudyReport,
  StudyTaskRow,
  TransferRow,
} from './study.types';

export const StudyConnection = connectionType('Study', Study, 'study');

const sparsityArg = { description: 'A sparsity of the study’s IMP schedule, e.g. 0.6.' };

@Resolver(() => Study)
export class StudyResolver {
  constructor(private readonly service: StudyService) {}

  @Query(() => StudyConnection, { description: 'Studies, newest first.' })
  studies(@Args(() => PageArgs) page: PageArgs): Promise<Connection<Study>> {
    return this.service.list(page);
  }

  @Query(() => Study, { nullable: true, description: 'One study by id; NOT_FOUND when there is none.' })
  study(@Arg('id', () => ID, { description: "The study's id." }) id: string): Promise<Study> {
    return this.service.get(id);
  }

  @Mutation(() => Study, {
    description:
      'Plan and start a study: every run of the protocol, each through the run identity rule (stored results are reused). The same request again returns the same study.',
  })
  startStudy(
    @Arg('input', () => StudyInput, { description: 'Preset, model, tasks and overrides.' }) input: StudyInput,
  ): Promise<Study> {
    return this.service.start(input);
  }

  @Mutation(() => Study, {
    description:
      'Cancel a QUEUED or RUNNING study and its unfinished runs (runs another unfinished study uses are left running); CONFLICT otherwise.',
  })
  cancelStudy(@Arg('id', () => ID, { description: 'The study to cancel.' }) id: string): Promise<Study> {
    return this.service.cancel(id);
  }

  @Subscription(() => StudyEvent, {
    topics: ({ args }: { args: { studyId: string } }) => {
      if (!isUuid(args.studyId)) throw new BadInputError(`studyId ${JSON.stringify(args.studyId)} is not a study id`);
      return STUDY_EVENTS;
    },
    filter: ({ payload, args }: { payload: StudyEventPayload; args: { studyId: string } }) =>
      payload.studyId === args.studyId.toLowerCase(),
    description: 'Status and progress changes of a study, as its runs start and finish.',
  })
  studyEvents(
    @Root() payload: StudyEventPayload,
    @Arg('studyId', () => ID, { description: 'The study to follow.' }) _studyId: string,
  ): StudyEvent {
    return { ...payload, at: new Date(payload.at) };
  }

  @FieldResolver(() => RunConnection, { description: 'Every run the study uses (reused ones included), newest first.' })
  runs(@Root() s: Study, @Args(() => PageArgs) page: PageArgs): Promise<Connection<Run>> {
    return this.service.runs(s.id, page);
  }

  @FieldResolver(() => StudyCost, { description: 'Runs used and reused, training steps and compute seconds spent.' })
  cost(@Root() s: Study): Promise<StudyCost> {
    return this.service.cost(s.id);
  }

  @FieldResolver(() => StudyReport, { description: "The paper's tables and findings from the stored results." })
  report(@Root() s: Study): StudyReport {
    return { studyId: s.id };
  }
}

@Resolver(() => StudyReport)
export class StudyReportResolver {
  constructor(private readonly reports: StudyReportService) {}

  private tables(r: StudyReport) {
    // One computation per report per request: the fields below share it.
    const memo = r as StudyReport & { tables?: ReturnType<StudyReportService['tables']> };
    memo.tables ??= this.reports.tables(r.studyId);
    return memo.tables;
  }

  @FieldResolver(() => [StudyTaskRow], {
    description: 'Table 1: per task, the dense model, relaxed and strict sparsity, IMP and the baselines.',
  })
  async tickets(@Root() r: StudyReport): Promise<StudyTaskRow[]> {
    return (await this.tables(r)).tickets;
  }

  @FieldResolver(() => [TransferRow], {
    description: 'Table 2: the pre-training ticket on each task per sparsity (first row: dense).',
  })
  async pretrainingTransfer(@Root() r: StudyReport): Promise<TransferRow[]> {
    return (await this.tables(r)).pretrainingTransfer;
  }

  @FieldResolver(() => [AdversarialRow], {
    description: 'Table 5: the pre-training ticket, standard vs adversarial training.',
  })
  async adversarial(@Root() r: StudyReport): Promise<AdversarialRow[]> {
    return (await this.tables(r)).adversarial;
  }

  @FieldResolver(() => [Finding], { description: "The paper's findings, decided from these numbers." })
  async findings(@Root() r: StudyReport): Promise<Finding[]> {
    return (await this.tables(r)).findings;
  }

  @FieldResolver(() => TransferMatrix, {
    description: "Source × target tasks at a sparsity, from the study's runs only.",
  })
  transfer(
    @Root() r: StudyReport,
    @Arg('sparsity', () => Float, sparsityArg) sparsity: number,
  ): Promise<TransferMatrix> {
    return this.reports.transfer(r.studyId, sparsity);
  }

  @FieldResolver(() => OverlapMatrix, {
    description: "Mask overlap of the study's tickets at a sparsity, PRETRAIN included.",
  })
  overlap(@Root() r: StudyReport, @Arg('sparsity', () => Float, sparsityArg) sparsity: number): Promise<OverlapMatrix> {
    return this.reports.overlap(r.studyId, sparsity);
  }

  @FieldResolver(() => [StudyProvenance], {
    description: 'What computed the runs: code version, backend, device, kernels, worker.',
  })
  provenance(@Root() r: StudyReport): Promise<StudyProvenance[]> {
    return this.reports.provenance(r.studyId);
  }
}
