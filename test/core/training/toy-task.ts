/**
 * A tiny task for training tests, independent of the real task files: the answer (3 classes) is
 * the first question token mod 3, so learning it needs the word embeddings (the gather gradient).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../../src/core/model/config';
import type { Encoder, EncoderInput, ParamMap } from '../../../src/core/model/types';
import type { TaskDefinition } from '../../../src/core/tasks/types';
import type { GqaExample, Splits } from '../../../src/core/data/types';
import { Rng } from '../../../src/core/rng';
import { variableFrom } from '../../../src/core/model/layers';

export const TOY_CONFIG: ModelConfig = {
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

export function toyData(c: ModelConfig, sizes: [number, number, number], seed: number): Splits<GqaExample> {
  const rng = new Rng(seed);
  const make = (n: number): GqaExample[] =>
    Array.from({ length: n }, () => {
      const count = 1 + rng.int(c.maxRegions);
      const features = new Float32Array(count * c.regionFeatureDim).map(() => rng.normal());
      const boxes = new Float32Array(count * 7).map(() => rng.next());
      const question = Array.from({ length: 1 + rng.int(c.maxTextLength) }, () => 5 + rng.int(c.vocabSize - 5));
      const answer = question[0] % 3;
      return { scene: { features, boxes, count }, question, answer };
    });
  return { train: make(sizes[0]), val: make(sizes[1]), test: make(sizes[2]) };
}

export function toyInput(c: ModelConfig, batch: readonly GqaExample[]): EncoderInput {
  const B = batch.length;
  const T = c.maxTextLength + 2;
  const R = c.maxRegions;
  const ids = new Int32Array(B * T);
  const tm = new Float32Array(B * T);
  const feats = new Float32Array(B * R * c.regionFeatureDim);
  const boxes = new Float32Array(B * R * 7);
  const rm = new Float32Array(B * R);
  batch.forEach((e, b) => {
    const toks = [2, ...e.question, 3];
    toks.forEach((t, i) => {
      ids[b * T + i] = t;
      tm[b * T + i] = 1;
    });
    feats.set(e.scene.features, b * R * c.regionFeatureDim);
    boxes.set(e.scene.boxes, b * R * 7);
    for (let r = 0; r < e.scene.count; r++) rm[b * R + r] = 1;
  });
  return {
    tokenIds: tf.tensor2d(ids, [B, T], 'int32'),
    textMask: tf.tensor2d(tm, [B, T]),
    regionFeatures: tf.tensor3d(feats, [B, R, c.regionFeatureDim]),
    regionBoxes: tf.tensor3d(boxes, [B, R, 7]),
    regionMask: tf.tensor2d(rm, [B, R]),
  };
}

function logits(
  encoder: Encoder,
  head: ParamMap,
  batch: readonly GqaExample[],
  training: boolean,
  dropoutSeed?: number,
): tf.Tensor2D {
  const out = encoder.encode(toyInput(encoder.config, batch), { training, dropoutSeed });
  return tf.add(tf.matMul(out.pooled, head.get('toy.weight')!, false, true), head.get('toy.bias')!) as tf.Tensor2D;
}

export const toyTask: TaskDefinition<'GQA'> = {
  kind: 'GQA',
  metrics: ['accuracy'],
  defaults: { steps: 60, lr: 5e-3, batchSize: 16 },
  initHead(config: ModelConfig, rng: Rng): ParamMap {
    const w = new Float32Array(3 * config.hidden).map(() => rng.normal() * 0.02);
    return new Map([
      ['toy.weight', variableFrom(w, [3, config.hidden])],
      ['toy.bias', variableFrom(new Float32Array(3), [3])],
    ]);
  },
  loss(encoder, head, batch, opts) {
    const z = logits(encoder, head, batch, opts.training, opts.dropoutSeed);
    const y = tf.oneHot(
      tf.tensor1d(
        batch.map((e) => e.answer),
        'int32',
      ),
      3,
    );
    return { loss: tf.losses.softmaxCrossEntropy(y, z) as tf.Scalar, logits: z };
  },
  evaluate(encoder, head, examples) {
    const pred = tf.tidy(() => tf.argMax(logits(encoder, head, examples, false), 1).dataSync());
    let ok = 0;
    examples.forEach((e, i) => {
      if (pred[i] === e.answer) ok++;
    });
    return { accuracy: ok / examples.length };
  },
};
