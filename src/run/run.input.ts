import { Field, ID, InputType } from 'type-graphql';
import { RunKind, RunStatus } from './run.enums';

@InputType({ description: 'Narrows `runs`; every given field must match.' })
export class RunFilter {
  @Field(() => RunKind, { nullable: true, description: 'Runs of this kind.' })
  kind?: RunKind | null;

  @Field(() => RunStatus, { nullable: true, description: 'Runs in this status.' })
  status?: RunStatus | null;

  @Field(() => ID, { nullable: true, description: 'Child runs of this run.' })
  parentId?: string | null;
}
