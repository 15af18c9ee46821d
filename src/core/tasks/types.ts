/** What one task kind contributes (DESIGN §5: one file per task kind, a registry maps kind → task). */
import type * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../model/config';
import type { Encoder, EncodeOptions, ParamMap } from '../model/types';
import type { ExampleByKind, TaskKind } from '../data/types';
import type { Rng } from '../rng';

export interface TaskDefaults {
  /** fine-tune steps of the built-in benchmark's default budget. */
  steps: number;
  lr: number;
  batchSize: number;
}

export interface LossResult {
  /** scalar training loss. */
  loss: tf.Scalar;
  /** the head's logits (used by adversarial training's symmetric KL); shape is the task's own. */
  logits: tf.Tensor;
}

export interface TaskDefinition<K extends TaskKind = TaskKind> {
  kind: K;
  /** metric names, primary first (e.g. ["vqa_score"], ["qar_acc", "qa_acc", "qar_r_acc"]). */
  metrics: readonly string[];
  defaults: TaskDefaults;
  /** fresh head parameters (never pruned; names like "vqa_output.0.weight"). */
  initHead(config: ModelConfig, rng: Rng): ParamMap;
  /** loss on a batch of examples; must be differentiable w.r.t. encoder and head variables. */
  loss(encoder: Encoder, head: ParamMap, batch: ExampleByKind[K][], opts: EncodeOptions & { rng: Rng }): LossResult;
  /** all of the task's metrics on a split (no dropout, no gradient). */
  evaluate(encoder: Encoder, head: ParamMap, examples: ExampleByKind[K][]): Record<string, number>;
}
