/** Shared steps of the task tests: gradients, plain-Adam training, tensor-leak checks. */
import * as tf from '@tensorflow/tfjs';
import type { Encoder, ParamMap } from '../../../src/core/model/types';
import type { ExampleByKind, TaskKind } from '../../../src/core/data/types';
import type { TaskDefinition } from '../../../src/core/tasks/types';
import { Rng } from '../../../src/core/rng';
import { PRETRAIN_ITM } from '../../../src/core/tasks/pretrain-corrupt';

/** L2 norm of each named variable's gradient of the task loss (0 where no gradient reaches it). */
export function gradientNorms<K extends TaskKind>(
  task: TaskDefinition<K>,
  encoder: Encoder,
  head: ParamMap,
  batch: ExampleByKind[K][],
  seed: number,
): Map<string, number> {
  const named = [...encoder.params, ...head];
  const { value, grads } = tf.variableGrads(
    () => task.loss(encoder, head, batch, { training: true, dropoutSeed: seed, rng: new Rng(seed) }).loss,
    named.map(([, v]) => v),
  );
  const norms = new Map<string, number>();
  for (const [name, v] of named) {
    const g = grads[v.name];
    norms.set(name, g ? tf.tidy(() => tf.norm(g).dataSync()[0]) : 0);
  }
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  return norms;
}

/** `steps` plain Adam steps on the whole (tiny) training set; returns the loss of each step. */
export function trainAdam<K extends TaskKind>(
  task: TaskDefinition<K>,
  encoder: Encoder,
  head: ParamMap,
  examples: ExampleByKind[K][],
  steps: number,
  lr: number,
  seed: number,
): number[] {
  const optimizer = tf.train.adam(lr);
  const vars = [...encoder.params.values(), ...head.values()];
  const rng = new Rng(seed);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = optimizer.minimize(
      () => task.loss(encoder, head, examples, { training: false, rng }).loss,
      true,
      vars,
    );
    losses.push(loss!.dataSync()[0]);
    loss!.dispose();
  }
  optimizer.dispose();
  return losses;
}

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export function disposeParams(p: ParamMap): void {
  for (const v of p.values()) v.dispose();
}

/**
 * Runs `f` with PRETRAIN's joint corruption: every pair then serves MLM, MRM and ITM, so a batch of
 * a few examples sends a gradient to every pre-training head. Under the default split scheme a
 * small batch may hold no MRM pair at all; the split scheme has its own tests (pretrain-split).
 */
export function withJointCorruption<T>(f: () => T): T {
  const saved = PRETRAIN_ITM.scheme;
  PRETRAIN_ITM.scheme = 'joint';
  try {
    return f();
  } finally {
    PRETRAIN_ITM.scheme = saved;
  }
}
