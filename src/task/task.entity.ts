import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../db/columns';
import { TaskKind } from './task.kind';

@ObjectType({ description: 'A downstream or pre-training task together with its data splits.' })
@Entity({ name: 'task' })
export class Task {
  @Field(() => ID, { description: 'Stable identifier (UUID).' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Unique name, e.g. "synthetic-vqa" for the built-in VQA task.' })
  @Column('text')
  name!: string;

  @Field(() => TaskKind, { description: 'Which paper task this is an instance of.' })
  @Column('text')
  kind!: TaskKind;

  @Field({ description: 'Name of the primary metric, the one Evaluation.score reports (e.g. "vqa_score").' })
  @Column('text')
  metric!: string;

  @Field({ description: 'True for the tasks of the built-in SyntheticVL benchmark.' })
  @Column('boolean', { name: 'built_in', default: false })
  builtIn!: boolean;

  @Field(() => Int, { description: 'Examples in the training split.' })
  @Column('integer', { name: 'train_size' })
  trainSize!: number;

  @Field(() => Int, { description: 'Examples in the validation split.' })
  @Column('integer', { name: 'val_size' })
  valSize!: number;

  @Field(() => Int, { description: 'Examples in the test split.' })
  @Column('integer', { name: 'test_size' })
  testSize!: number;

  @Field(() => GraphQLJSONObject, { description: 'Data parameters (generator seed, source files, …) as stored.' })
  @Column('jsonb', { default: {} })
  params!: Record<string, unknown>;

  @Field({ description: 'When the task was registered.' })
  @CreateDateColumn({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}
