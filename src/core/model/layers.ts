/** Building blocks of the encoder, written with plain tfjs ops so every backend can train them. */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import type { ParamMap } from './types';

/** UNITER/BERT LayerNorm epsilon. */
export const LN_EPS = 1e-12;

export function param(params: ParamMap, name: string): tf.Variable {
  const v = params.get(name);
  if (!v) throw new Error(`missing parameter ${name}`);
  return v;
}

/** y = x Wᵀ + b with W stored PyTorch-style [out, in]; x is [..., in]. */
export function linear(params: ParamMap, prefix: string, x: tf.Tensor): tf.Tensor {
  const w = param(params, `${prefix}.weight`);
  const b = param(params, `${prefix}.bias`);
  const inDim = x.shape[x.shape.length - 1];
  const lead = x.shape.slice(0, -1);
  const y = tf.add(tf.matMul(tf.reshape(x, [-1, inDim]) as tf.Tensor2D, w as tf.Tensor2D, false, true), b);
  return tf.reshape(y, [...lead, w.shape[0]]);
}

export function layerNorm(params: ParamMap, prefix: string, x: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, LN_EPS)));
  return tf.add(tf.mul(normed, param(params, `${prefix}.weight`)), param(params, `${prefix}.bias`));
}

/** Exact (erf) GELU, as UNITER/BERT. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/**
 * Seeded dropout: the keep mask comes from our Rng, not tf.randomUniform (whose seed 0 means
 * "random"), so a training step is reproducible from its dropout seed on every backend.
 */
export class Dropout {
  private readonly rng: Rng | null;
  constructor(private readonly rate: number, seed: number | undefined, training: boolean) {
    this.rng = training && rate > 0 ? new Rng(seed ?? 0) : null;
  }

  apply(x: tf.Tensor): tf.Tensor {
    if (!this.rng) return x;
    const n = x.size;
    const keep = 1 - this.rate;
    const scale = 1 / keep;
    const mask = new Float32Array(n);
    for (let i = 0; i < n; i++) mask[i] = this.rng.next() < keep ? scale : 0;
    return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
  }
}
