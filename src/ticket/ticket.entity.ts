import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber, TIMESTAMP } from '../db/columns';
import { PruningMethod, RetrainingRule } from './ticket.enums';

@ObjectType({ description: 'Sparsity of one prunable weight matrix under a mask.' })
export class LayerSparsity {
  @Field({ description: 'Parameter name, UNITER style (e.g. "uniter.encoder.layer.0.attention.self.query.weight").' })
  name!: string;

  @Field(() => Int, { description: 'Weights in the matrix.' })
  total!: number;

  @Field(() => Int, { description: 'Weights pruned (mask bit 0).' })
  pruned!: number;

  @Field(() => Float, { description: 'pruned ÷ total.' })
  sparsity!: number;
}

@ObjectType({ description: "A binary mask over a model's prunable weights: a candidate winning ticket." })
@Entity({ name: 'ticket' })
export class Ticket {
  @Field(() => ID, { description: 'Stable identifier (UUID).' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'model_id' })
  modelId!: string;

  /** The task the mask was found on (the PRETRAIN task for pre-training tickets). */
  @Column('uuid', { name: 'task_id', nullable: true })
  taskId!: string | null;

  @Field(() => PruningMethod, { description: 'How the mask was obtained.' })
  @Column('text')
  method!: PruningMethod;

  @Field(() => Float, { description: 'Achieved sparsity, exact: pruned weights ÷ prunable weights.' })
  @Column('double precision')
  sparsity!: number;

  @Field(() => Int, {
    description: 'IMP round that produced the mask (0 = all ones); 0 for one-shot and random masks.',
  })
  @Column('integer', { default: 0 })
  level!: number;

  @Column('uuid', { name: 'parent_id', nullable: true })
  parentId!: string | null;

  @Column('uuid', { name: 'run_id', nullable: true })
  runId!: string | null;

  @Field(() => Int, { nullable: true, description: 'Seed of the run that found it, when there was one.' })
  @Column('integer', { nullable: true })
  seed!: number | null;

  @Field(() => [LayerSparsity], {
    description:
      "Per-matrix sparsity counted exactly from the stored mask, in the model's canonical prunable order (per layer Q, K, V, attention output, intermediate, output; then the pooler).",
  })
  /**
   * One source: the stored mask (TicketService.layerSparsity counts it). New tickets store []; rows
   * written before kept their counts, read only when a mask does not fit its model's layout.
   */
  @Column('jsonb', { name: 'layer_sparsity', default: [] })
  layerSparsity!: LayerSparsity[];

  /**
   * Bit-packed mask: 1 bit per prunable weight in the model's canonical prunable order,
   * LSB-first within each byte, 1 = kept; padding bits of the last byte are 0.
   */
  @Column('bytea', { select: false })
  mask!: Buffer;

  @Field(() => Int, { description: "Mask length in bits; equals the model's prunableParameterCount." })
  @Column('bigint', { name: 'mask_bits', transformer: bigintAsNumber })
  maskBits!: number;

  @Field({ description: 'SHA-256 (hex) of the bit-packed mask bytes.' })
  @Column('text', { name: 'mask_sha256' })
  maskSha256!: string;

  @Field(() => Int, {
    nullable: true,
    description:
      'Training steps spent before this mask was fixed: IMP level k, k × stepsPerLevel (the fine-tunes of levels 0…k−1); ONE_SHOT of θ0 and RANDOM 0; EARLY_BIRD the steps of its search to the stop. The ticket’s own fine-tune is not included (every method pays it alike). Null for tickets stored before this was recorded.',
  })
  @Column('integer', { name: 'search_steps', nullable: true })
  searchSteps!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Wall seconds of those search steps on the worker that ran them (null when not recorded).',
  })
  @Column('double precision', { name: 'search_seconds', nullable: true })
  searchSeconds!: number | null;

  @Field(() => RetrainingRule, {
    nullable: true,
    description:
      'IMP tickets: how the levels before this one retrained (null for other methods, and when not recorded).',
  })
  @Column('text', { nullable: true })
  retraining!: RetrainingRule | null;

  /** how a rule-stopped search ended (EARLY_BIRD); the resolver exposes it as `earlyBird` */
  @Column('jsonb', { nullable: true })
  search!: Record<string, unknown> | null;

  @Field({ description: 'When the ticket was stored.' })
  @CreateDateColumn({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}
