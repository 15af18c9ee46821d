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
 * Seeded dropout: the keep mask comes from our own generator, not tf.randomUniform (whose seed
 * 0 means "random"), so a training step is reproducible from its dropout seed on every backend.
 * Masks are drawn with an inlined xorshift128 (two 16-bit decisions per draw): a training step
 * needs about a million decisions, and the general-purpose Rng would cost tens of ms for them.
 * The keep probability is quantised to 1/65536.
 */
export class Dropout {
  private s = new Uint32Array(4);
  private readonly on: boolean;
  constructor(
    private readonly rate: number,
    seed: number | undefined,
    training: boolean,
  ) {
    this.on = training && rate > 0;
    if (this.on) {
      const r = new Rng(seed ?? 0);
      for (let i = 0; i < 4; i++) this.s[i] = r.nextU32();
      this.s[3] |= 1; // never the all-zero state
    }
  }

  apply(x: tf.Tensor): tf.Tensor {
    if (!this.on) return x;
    const n = x.size;
    const scale = 1 / (1 - this.rate);
    const cut = Math.round(this.rate * 65536); // drop when a 16-bit draw is below it
    const mask = new Float32Array(n);
    const s = this.s;
    let [a, b, c, d] = [s[0], s[1], s[2], s[3]];
    for (let i = 0; i < n; i += 2) {
      let t = a ^ (a << 11);
      a = b;
      b = c;
      c = d;
      d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
      t = d;
      mask[i] = (t & 0xffff) < cut ? 0 : scale;
      if (i + 1 < n) mask[i + 1] = t >>> 16 < cut ? 0 : scale;
    }
    s[0] = a;
    s[1] = b;
    s[2] = c;
    s[3] = d;
    return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
  }
}

/** A trainable variable holding `data` (the temporary tensor is released, no handle leaks). */
export function variableFrom(data: Float32Array, shape: number[], trainable = true): tf.Variable {
  const t = tf.tensor(data, shape, 'float32');
  const v = tf.variable(t, trainable);
  t.dispose();
  return v;
}
