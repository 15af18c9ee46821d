/**
 * A tiny task for the lottery and adversarial tests: the answer (3 classes) depends on the first
 * question token and on the sign of the first region's first feature, so both perturbed inputs
 * matter. Unlike the training tests' toy task, it forwards EncodeOptions.perturb.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../../src/core/model/config';
import type { ParamMap } from '../../../src/core/model/types';
import type { TaskDefinition } from '../../../src/core/tasks/types';
import type { GqaExample, Splits } from '../../../src/core/data/types';
import { Rng } from '../../../src/core/rng';
import { createEncoder, snapshotWeights } from '../../../src/core/model/uniter';
import { variableFrom } from '../../../src/core/model/layers';
import { toyInput } from '../training/toy-task';

export const TINY: ModelConfig = {
  layers: 2,
  hidden: 16,
  heads: 2,
  intermediate: 32,
  vocabSize: 20,
  regionFeatureDim: 4,
  maxTextLength: 4,
  maxRegions: 3,
  dropout: 0.1,
};

export function tinyData(sizes: [number, number, number], seed: number): Splits<GqaExample> {
  const rng = new Rng(seed);
  const make = (n: number): GqaExample[] =>
    Array.from({ length: n }, () => {
      const count = 1 + rng.int(TINY.maxRegions);
      const features = new Float32Array(count * TINY.regionFeatureDim).map(() => rng.normal());
      const boxes = new Float32Array(count * 7).map(() => rng.next());
      const question = Array.from({ length: 1 + rng.int(TINY.maxTextLength) }, () => 5 + rng.int(TINY.vocabSize - 5));
      const answer = (question[0] + (features[0] > 0 ? 1 : 0)) % 3;
      return { scene: { features, boxes, count }, question, answer };
    });
  return { train: make(sizes[0]), val: make(sizes[1]), test: make(sizes[2]) };
}

function oneHot(labels: number[], n: number): tf.Tensor2D {
  const d = new Float32Array(labels.length * n);
  labels.forEach((l, i) => {
    d[i * n + l] = 1;
  });
  return tf.tensor2d(d, [labels.length, n]);
}

export const tinyTask: TaskDefinition<'GQA'> = {
  kind: 'GQA',
  metrics: ['accuracy'],
  defaults: { steps: 20, lr: 5e-3, batchSize: 16 },
  initHead(config: ModelConfig, rng: Rng): ParamMap {
    const w = new Float32Array(3 * config.hidden).map(() => rng.normal() * 0.02);
    return new Map([
      ['tiny.weight', variableFrom(w, [3, config.hidden])],
      ['tiny.bias', variableFrom(new Float32Array(3), [3])],
    ]);
  },
  loss(encoder, head, batch, opts) {
    return tf.tidy(() => {
      const out = encoder.encode(toyInput(encoder.config, batch), {
        training: opts.training,
        dropoutSeed: opts.dropoutSeed,
        perturb: opts.perturb,
      });
      const z = tf.add(
        tf.matMul(out.pooled, head.get('tiny.weight')!, false, true),
        head.get('tiny.bias')!,
      ) as tf.Tensor2D;
      const y = oneHot(
        batch.map((e) => e.answer),
        3,
      );
      const loss = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(z)), 1))) as tf.Scalar;
      return { loss, logits: z };
    });
  },
  evaluate(encoder, head, examples) {
    const pred = tf.tidy(() => {
      const out = encoder.encode(toyInput(encoder.config, examples), { training: false });
      return tf
        .argMax(tf.add(tf.matMul(out.pooled, head.get('tiny.weight')!, false, true), head.get('tiny.bias')!), 1)
        .dataSync();
    });
    let ok = 0;
    examples.forEach((e, i) => {
      if (pred[i] === e.answer) ok++;
    });
    return { accuracy: ok / examples.length };
  },
};

/** A "pre-trained" θ0: a fresh init (the engine does not care where θ0 came from). */
export function tinyTheta0(seed = 1): Map<string, Float32Array> {
  const enc = createEncoder(TINY, new Rng(seed));
  const w = snapshotWeights(enc.params);
  enc.dispose();
  return w;
}

export const bitsEqual = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
