import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { publishEvent, type Queryable } from '../events/bus';
import { TOPICS } from '../events/topics';
import { RunStatus } from '../run/run.enums';

export const STUDY_EVENTS = TOPICS.STUDY_EVENTS;

export interface StudyEventPayload {
  studyId: string;
  status: RunStatus;
  progress: number;
  runsDone: number;
  runsTotal: number;
  message: string | null;
  at: string;
}

@ObjectType({ description: "A change of a study's status or progress." })
export class StudyEvent {
  @Field(() => ID, { description: 'The study.' })
  studyId!: string;

  @Field(() => RunStatus, { description: 'Its status now.' })
  status!: RunStatus;

  @Field(() => Float, { description: 'Fraction done, 0..1.' })
  progress!: number;

  @Field(() => Int, { description: 'Planned runs that have finished (succeeded, failed or cancelled).' })
  runsDone!: number;

  @Field(() => Int, { description: 'Runs the study plans in all.' })
  runsTotal!: number;

  @Field(() => String, { nullable: true, description: 'What happened, e.g. "4 runs started" or the failure.' })
  message!: string | null;

  @Field({ description: 'When it happened.' })
  at!: Date;
}

export function publishStudyEvent(db: Queryable, p: Omit<StudyEventPayload, 'at'>): Promise<void> {
  return publishEvent(db, STUDY_EVENTS, { ...p, at: new Date().toISOString() });
}
