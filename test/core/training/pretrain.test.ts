import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { createEncoder, prunableWeightNames } from '../../../src/core/model/uniter';
import { pretrain, maskTensor } from '../../../src/core/training';
import { getTask } from '../../../src/core/tasks/registry';
import { dataSource, VOCAB_SIZE } from '../../../src/core/data';
import { Rng } from '../../../src/core/rng';
import type { ModelConfig } from '../../../src/core/model/config';

const CONFIG: ModelConfig = {
  layers: 1,
  hidden: 16,
  heads: 2,
  intermediate: 32,
  vocabSize: VOCAB_SIZE,
  regionFeatureDim: 8,
  maxTextLength: 16,
  maxRegions: 4,
  dropout: 0.1,
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe('pre-training loop on the PRETRAIN task', () => {
  const data = dataSource('PRETRAIN').generate({
    seed: 3,
    sizes: { train: 64, val: 16, test: 0 },
    regionFeatureDim: 8,
    maxRegions: 4,
    maxTextLength: 16,
  });

  test('trains encoder and MLM/ITM/MRM heads, continues from given heads, keeps a mask', () => {
    const enc = createEncoder(CONFIG, new Rng(1));
    const task = getTask('PRETRAIN');
    const before = tf.memory().numTensors;
    const first = pretrain({ encoder: enc, task, data, steps: 4, lr: 1e-3, batchSize: 8, seed: 1 });
    expect(first.lossHistory.every(Number.isFinite)).toBe(true);
    expect(first.metrics).toEqual({});
    expect(Object.keys(first.valHistory[0].metrics)).toEqual(expect.arrayContaining(['mlm_accuracy', 'itm_accuracy']));
    expect(first.headWeights.size).toBeGreaterThan(0);
    for (const [n, w] of first.headWeights) expect(first.headShapes.get(n)!.reduce((a, b) => a * b, 1)).toBe(w.length);
    // continued pre-training under a mask (pre-training tickets) starts from the given heads
    const name = prunableWeightNames(CONFIG)[0];
    const v = enc.params.get(name)!;
    const mask = new Map([
      [
        name,
        maskTensor(
          Array.from({ length: v.size }, (_, i) => i % 2),
          v.shape,
        ),
      ],
    ]);
    const second = pretrain({
      encoder: enc,
      task,
      data,
      steps: 3,
      lr: 1e-3,
      batchSize: 8,
      seed: 2,
      headWeights: first.headWeights,
      mask,
    });
    const w = second.finalWeights.get(name)!;
    for (let i = 0; i < w.length; i += 2) expect(w[i] === 0).toBe(true);
    expect(tf.memory().numTensors - mask.size).toBe(before);
    enc.dispose();
  });
});
