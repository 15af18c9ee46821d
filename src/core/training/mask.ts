/**
 * Weight masks as the optimiser sees them: a parameter name → float32 0/1 tensor of the
 * parameter's shape. Parameters absent from the map are dense. The pruning engine builds this
 * map from its bit-packed masks; the training loop keeps masked weights exactly zero with it.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamMap } from '../model/types';

export type WeightMask = ReadonlyMap<string, tf.Tensor>;

/** Checks that every mask names an existing parameter with the same shape. */
export function checkMask(params: ParamMap, mask: WeightMask): void {
  for (const [name, m] of mask) {
    const p = params.get(name);
    if (!p) throw new Error(`mask names unknown parameter ${name}`);
    if (p.shape.length !== m.shape.length || p.shape.some((d, i) => d !== m.shape[i])) {
      throw new Error(`mask for ${name} is [${m.shape.join(', ')}], parameter is [${p.shape.join(', ')}]`);
    }
  }
}

/** p ← p ⊙ m for every masked parameter (in place). */
export function applyMask(params: ParamMap, mask: WeightMask): void {
  tf.tidy(() => {
    for (const [name, m] of mask) {
      const p = params.get(name);
      if (p) p.assign(tf.mul(p, m));
    }
  });
}

/** A mask tensor from host 0/1 values (any numeric array), shaped like `shape`. */
export function maskTensor(values: ArrayLike<number>, shape: number[]): tf.Tensor {
  const data = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = values[i] ? 1 : 0;
  return tf.tensor(data, shape, 'float32');
}
