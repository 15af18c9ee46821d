import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber, TIMESTAMP } from '../db/columns';
import { ModelSource } from './model.enums';

@ObjectType('ModelConfig', { description: 'Shape of a UNITER-style single-stream transformer encoder.' })
export class ModelConfigType {
  @Field(() => Int, { description: 'Number of transformer layers.' })
  layers!: number;

  @Field(() => Int, { description: 'Hidden size.' })
  hidden!: number;

  @Field(() => Int, { description: 'Attention heads per layer (divides hidden).' })
  heads!: number;

  @Field(() => Int, { description: 'Size of the feed-forward intermediate layer.' })
  intermediate!: number;

  @Field(() => Int, { description: 'Word-level vocabulary size.' })
  vocabSize!: number;

  @Field(() => Int, { description: "Dimension of each region feature vector (2048 for UNITER's detector)." })
  regionFeatureDim!: number;

  @Field(() => Int, { description: 'Longest text, in tokens, including [CLS] and [SEP].' })
  maxTextLength!: number;

  @Field(() => Int, { description: 'Most image regions per example.' })
  maxRegions!: number;

  @Field(() => Float, { nullable: true, description: 'Dropout probability used in training (0 disables).' })
  dropout?: number;
}

@ObjectType({ description: 'A pre-trained backbone θ0 whose weights tickets are masks over.' })
@Entity({ name: 'model' })
export class Model {
  @Field(() => ID, { description: 'Stable identifier (UUID).' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Unique human-readable name.' })
  @Column('text')
  name!: string;

  @Field(() => ModelConfigType, { description: 'Architecture of the encoder.' })
  @Column('jsonb')
  config!: ModelConfigType;

  @Field(() => Int, { description: 'Number of encoder parameters (all weights, biases, embeddings; no task heads).' })
  @Column('bigint', { name: 'parameter_count', transformer: bigintAsNumber })
  parameterCount!: number;

  @Field(() => Int, {
    description:
      'Number of prunable weights (attention Q/K/V/output, intermediate and output dense matrices, pooler): the length of every ticket mask over this model.',
  })
  @Column('bigint', { name: 'prunable_parameter_count', transformer: bigintAsNumber })
  prunableParameterCount!: number;

  @Field(() => String, { nullable: true, description: 'SHA-256 (hex) of the weights file θ0 in the artifact store.' })
  @Column('text', { name: 'weights_sha256', nullable: true })
  weightsSha256!: string | null;

  @Field(() => ModelSource, { description: 'Where the weights come from.' })
  @Column('text')
  source!: ModelSource;

  /** The PRETRAIN run that produced it (source PRETRAINED_BY_RUN); exposed through Model.run. */
  @Column('uuid', { name: 'run_id', nullable: true })
  runId!: string | null;

  @Field({ description: 'When the model was registered.' })
  @CreateDateColumn({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}
