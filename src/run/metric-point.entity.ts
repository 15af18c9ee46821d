import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../db/columns';

/** One logged scalar of a run; exposed through Run.metrics as downsampled series. */
@Entity({ name: 'metric_point' })
export class MetricPoint {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column('uuid', { name: 'run_id' })
  runId!: string;

  @Column('integer')
  step!: number;

  /** e.g. "loss", "lr", "val/score", "sparsity". */
  @Column('text')
  name!: string;

  @Column('double precision')
  value!: number;

  @CreateDateColumn({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}
