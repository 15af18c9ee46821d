import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../db/columns';
import { TrainingMode, WeightInit } from './evaluation.enums';

@ObjectType({
  description: 'One fine-tune + test of a mask (or of the dense model) on a task, in one setting, for one seed.',
})
@Entity({ name: 'evaluation' })
export class Evaluation {
  @Field(() => ID, { description: 'Stable identifier (UUID).' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'model_id' })
  modelId!: string;

  /** null = the dense model. */
  @Column('uuid', { name: 'ticket_id', nullable: true })
  ticketId!: string | null;

  @Column('uuid', { name: 'task_id' })
  taskId!: string;

  @Column('uuid', { name: 'run_id', nullable: true })
  runId!: string | null;

  @Field(() => WeightInit, { description: 'Initial values of the surviving weights.' })
  @Column('text', { name: 'weight_init' })
  weightInit!: WeightInit;

  @Field(() => TrainingMode, { description: 'Standard or adversarial fine-tuning.' })
  @Column('text', { name: 'training_mode' })
  trainingMode!: TrainingMode;

  /** '' for STANDARD; the resolver answers null then */
  @Column('text', { default: '' })
  attack!: string;

  @Field(() => Int, { description: 'Seed of fine-tuning and data order.' })
  @Column('integer')
  seed!: number;

  @Field(() => Int, { description: 'Fine-tuning steps.' })
  @Column('integer')
  steps!: number;

  @Field(() => GraphQLJSONObject, { description: "All of the task's metrics on the test split, by name." })
  @Column('jsonb', { default: {} })
  metrics!: Record<string, number>;

  @Field(() => Float, { description: "The task's primary metric (Task.metric) on the test split." })
  @Column('double precision')
  score!: number;

  /** Stored when the evaluating run computed it; otherwise derived on read (see EvaluationService). */
  @Column('double precision', { name: 'relative_score', nullable: true })
  relativeScore!: number | null;

  @Field({ description: 'When the evaluation was stored.' })
  @CreateDateColumn({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}
