/**
 * The topics of the event bus. A topic name is what a subscription resolver lists in `topics`;
 * adding a topic is one line here and a payload type beside its publisher.
 */
export const TOPICS = {
  /** run state transitions and progress (payload: RunEventPayload) */
  RUN_EVENTS: 'RUN_EVENTS',
  /** study status and progress (payload: StudyEventPayload, src/study/study-event.ts) */
  STUDY_EVENTS: 'STUDY_EVENTS',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];
