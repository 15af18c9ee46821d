import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { TIMESTAMP } from '../db/columns';
import { RunKind, RunStatus } from './run.enums';

@ObjectType({ description: 'A unit of scheduled work: pre-training, pruning, evaluation or transfer.' })
@Entity({ name: 'run' })
export class Run {
  @Field(() => ID, { description: 'Stable identifier (UUID).' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => RunKind, { description: 'What the run does.' })
  @Column('text')
  kind!: RunKind;

  @Field(() => RunStatus, { description: 'Where the run is in its life cycle.' })
  @Column('text', { default: RunStatus.QUEUED })
  status!: RunStatus;

  @Field(() => GraphQLJSONObject, { description: 'Canonical request parameters (sorted keys, defaults dropped).' })
  @Column('jsonb', { default: {} })
  params!: Record<string, unknown>;

  @Field({ description: 'SHA-256 (hex) of kind + canonical params: identical requests share it.' })
  @Column('text', { name: 'params_hash' })
  paramsHash!: string;

  @Field(() => Float, { description: 'Fraction done, 0..1.' })
  @Column('double precision', { default: 0 })
  progress!: number;

  @Field(() => Int, { description: 'Steps done so far.' })
  @Column('integer', { default: 0 })
  step!: number;

  @Field(() => Int, { nullable: true, description: 'Steps in total, when known.' })
  @Column('integer', { name: 'total_steps', nullable: true })
  totalSteps!: number | null;

  @Field(() => String, { nullable: true, description: 'Current phase, e.g. "level 3: fine-tune".' })
  @Column('text', { nullable: true })
  phase!: string | null;

  @Field(() => String, { nullable: true, description: 'Error message of a FAILED run.' })
  @Column('text', { nullable: true })
  error!: string | null;

  @Column('uuid', { name: 'parent_id', nullable: true })
  parentId!: string | null;

  @Field({ description: 'When the run was requested.' })
  @CreateDateColumn({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;

  @Field({ description: 'Last change of the run row.' })
  @UpdateDateColumn({ name: 'updated_at', ...TIMESTAMP })
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When a worker started it.' })
  @Column({ name: 'started_at', nullable: true, ...TIMESTAMP })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it reached SUCCEEDED, FAILED or CANCELLED.' })
  @Column({ name: 'finished_at', nullable: true, ...TIMESTAMP })
  finishedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Last sign of life from the worker running it (a stale one means the worker died).',
  })
  @Column({ name: 'heartbeat_at', nullable: true, ...TIMESTAMP })
  heartbeatAt!: Date | null;

  /** The worker execution holding the run while RUNNING; its writes are refused once it changes. */
  @Column('uuid', { name: 'claim_token', nullable: true, select: false })
  claimToken!: string | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'What computed the run (its latest attempt): { version, commit (git, "+modified" when the checkout had changes; null outside git), backend, device, kernels, worker (host:pid) }. null until a worker started it; TRANSFER parents compute nothing.',
  })
  @Column('jsonb', { nullable: true })
  provenance!: Record<string, unknown> | null;

  @Field(() => Int, {
    description: 'How many times a worker took the run up (more than 1 after a retry or a crash takeover).',
  })
  @Column('integer', { default: 0 })
  attempts!: number;
}
