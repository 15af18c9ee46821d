import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { TIMESTAMP } from '../db/columns';
import { RunStatus } from '../run/run.enums';

@ObjectType({
  description:
    "A study: the paper's protocol (or a part of it) as one stored plan of runs, followed to the end and answered as the paper's tables.",
})
@Entity({ name: 'study' })
export class Study {
  @Field(() => ID, { description: 'Stable identifier (UUID).' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Name given at start.' })
  @Column('text')
  name!: string;

  @Field(() => RunStatus, {
    description:
      'QUEUED until a run starts; RUNNING; SUCCEEDED when every planned run succeeded; FAILED when a run failed (error names them) and nothing else can proceed; CANCELLED on request.',
  })
  @Column('text', { default: RunStatus.QUEUED })
  status!: RunStatus;

  @Field(() => Float, {
    description: 'Fraction done, 0..1: the mean progress over the planned runs (not started = 0).',
  })
  @Column('double precision', { default: 0 })
  progress!: number;

  @Field(() => GraphQLJSONObject, {
    description:
      'The request as resolved: every field spelled out, presets and defaults applied (the identity of the study).',
  })
  @Column('jsonb')
  params!: Record<string, unknown>;

  @Column('text', { name: 'params_hash' })
  paramsHash!: string;

  @Field(() => String, { nullable: true, description: 'Why a FAILED study failed: its failed runs.' })
  @Column('text', { nullable: true })
  error!: string | null;

  @Field({ description: 'When the study was requested.' })
  @CreateDateColumn({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', ...TIMESTAMP })
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When its first run started.' })
  @Column({ name: 'started_at', nullable: true, ...TIMESTAMP })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it reached SUCCEEDED, FAILED or CANCELLED.' })
  @Column({ name: 'finished_at', nullable: true, ...TIMESTAMP })
  finishedAt!: Date | null;
}
