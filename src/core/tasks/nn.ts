/**
 * Building blocks of the task heads. Weights use PyTorch's nn.Linear layout [out, in] so a
 * UNITER checkpoint's head tensors map 1:1; init follows BERT (normal(0, 0.02), zero bias).
 *
 * Every op here must have a gradient on the wasm backend, which lacks UnsortedSegmentSum (the
 * gradient of gather): label lookups go through one-hot products, never tf.gather.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamMap } from '../model/types';
import type { Rng } from '../rng';
import { gelu, layerNorm, linear } from '../model/layers';

function normalVariable(shape: number[], std: number, rng: Rng): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
  return ownedVariable(tf.tensor(data, shape));
}

/** A trainable variable from `t`, releasing `t` (tf.variable copies its initial value). */
function ownedVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

export function constVariable(shape: number[], value: number): tf.Variable {
  return ownedVariable(tf.fill(shape, value));
}

/** Adds `${prefix}.weight` [out, in] and `${prefix}.bias` [out]. */
export function addLinear(params: ParamMap, prefix: string, inDim: number, outDim: number, rng: Rng): void {
  params.set(`${prefix}.weight`, normalVariable([outDim, inDim], 0.02, rng));
  params.set(`${prefix}.bias`, constVariable([outDim], 0));
}

/** Adds `${prefix}.weight` (ones) and `${prefix}.bias` (zeros) of a LayerNorm over `dim`. */
export function addLayerNorm(params: ParamMap, prefix: string, dim: number): void {
  params.set(`${prefix}.weight`, constVariable([dim], 1));
  params.set(`${prefix}.bias`, constVariable([dim], 0));
}

/**
 * UNITER's two-layer classifier: Linear(in→2H), act, LayerNorm, Linear(2H→out), with
 * nn.Sequential indices 0, 2, 3 (index 1 is the parameterless activation).
 */
export function addMlpHead(
  params: ParamMap,
  prefix: string,
  inDim: number,
  hidden: number,
  outDim: number,
  rng: Rng,
): void {
  addLinear(params, `${prefix}.0`, inDim, hidden, rng);
  addLayerNorm(params, `${prefix}.2`, hidden);
  addLinear(params, `${prefix}.3`, hidden, outDim, rng);
}

export function mlpHead(x: tf.Tensor, params: ParamMap, prefix: string, act: 'gelu' | 'relu'): tf.Tensor {
  const h = linear(params, `${prefix}.0`, x);
  const a = act === 'gelu' ? gelu(h) : tf.relu(h);
  return linear(params, `${prefix}.3`, layerNorm(params, `${prefix}.2`, a));
}

/** float32 one-hot [labels.length, n] built on the host (no gather, no int ops in the graph). */
export function oneHot(labels: readonly number[], n: number): tf.Tensor2D {
  const data = new Float32Array(labels.length * n);
  labels.forEach((l, i) => {
    if (!(Number.isInteger(l) && l >= 0 && l < n)) throw new Error(`label ${l} outside [0, ${n})`);
    data[i * n + l] = 1;
  });
  return tf.tensor2d(data, [labels.length, n]);
}

/** Mean over rows of the cross-entropy between softmax(logits) and (soft or one-hot) targets. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D, rowWeights?: tf.Tensor1D): tf.Scalar {
  const perRow = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1));
  if (!rowWeights) return tf.mean(perRow) as tf.Scalar;
  // Weighted mean; the max(·, 1) keeps an all-zero weight vector from dividing by zero.
  return tf.div(tf.sum(tf.mul(perRow, rowWeights)), tf.maximum(tf.sum(rowWeights), 1)) as tf.Scalar;
}

/**
 * Binary cross-entropy with logits, summed over classes and averaged over rows — UNITER's
 * `bce(reduction='none').mean() * num_classes`. Stable form: softplus(x) − x·z.
 */
export function bceWithLogits(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  const elem = tf.sub(tf.softplus(logits), tf.mul(logits, targets));
  return tf.div(tf.sum(elem), logits.shape[0]) as tf.Scalar;
}
