import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import '../../../src/core/model/uniter';
import { trainingSuite } from './learns';

beforeAll(async () => {
  const info = await initBackend('wasm');
  expect(info.backend).toBe('wasm');
});

describe('training on the wasm backend', () => {
  test('gather gradient (UnsortedSegmentSum) equals the one-hot matmul gradient', () => {
    const table = tf.variable(tf.randomNormal([7, 5], 0, 1, 'float32', 3));
    const ids = tf.tensor1d([3, 1, 3, 6, 3, 0], 'int32');
    const up = tf.randomNormal([6, 5], 0, 1, 'float32', 4);
    const g1 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), up)))(table);
    const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.matMul(tf.oneHot(ids, 7).toFloat(), t), up)))(table);
    const a = g1.dataSync();
    const b = g2.dataSync();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    expect(a[3 * 5]).not.toBe(0); // the repeated row accumulates
  });
  trainingSuite();
});
