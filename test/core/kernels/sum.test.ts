/**
 * Native leading-axes Sum against the wasm backend's original Sum kernel and a float64
 * reference. Bound: |native - float64| <= 1e-6 · Σ|x| (float32 sequential accumulation).
 * Skipped, with a message, when the addon is not built.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { setNativeKernelsEnabled } from '../../../src/core/kernels/install';
import { loadNativeBlas, nativeLoadError } from '../../../src/core/kernels/native';
import { leadingAxes } from '../../../src/core/kernels/sum';
import { seededTensor } from './reference';

const haveAddon = loadNativeBlas() !== null;
if (!haveAddon) console.warn(`native Sum tests SKIPPED: ${nativeLoadError()}`);
const maybe = haveAddon ? describe : describe.skip;

function plain<T>(f: () => T): T {
  setNativeKernelsEnabled(false);
  try {
    return f();
  } finally {
    setNativeKernelsEnabled(true);
  }
}

test('leadingAxes recognises only leading prefixes', () => {
  expect(leadingAxes(3, 0)).toBe(1);
  expect(leadingAxes(3, [1, 0])).toBe(2);
  expect(leadingAxes(3, [-3, -2])).toBe(2);
  expect(leadingAxes(3, [0, 2])).toBe(-1);
  expect(leadingAxes(3, 2)).toBe(-1);
  expect(leadingAxes(3, [0, 1, 2])).toBe(-1);
});

maybe('native Sum over leading axes (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const cases: Array<[number[], number | number[], boolean]> = [
    [[1536, 128], 0, false],
    [[3, 5, 7], [0, 1], false],
    [[3, 5, 7], [1, 0], true],
    [[17, 33], -2, true],
    [[1, 9], 0, false],
    [[4, 6, 2, 3], [0, 1, 2], false],
    [[3, 5, 7], 2, false], // not leading: original kernel
    [[3, 5, 7], [0, 2], true], // not leading: original kernel
  ];
  for (const [shape, axis, keep] of cases) {
    test(`sum ${JSON.stringify(shape)} axis ${JSON.stringify(axis)} keepDims ${keep}`, () => {
      const x = seededTensor(shape, shape.length * 101 + shape[0]);
      const got = tf.sum(x, axis, keep);
      const want = plain(() => tf.sum(x, axis, keep));
      expect(got.shape).toEqual(want.shape);
      const g = got.dataSync(),
        w = want.dataSync();
      // float64 reference for the leading-prefix case via the plain result's own axes
      const ref = tf.sum(tf.cast(x, 'float32').abs(), axis, keep).dataSync();
      for (let i = 0; i < g.length; i++) expect(Math.abs(g[i] - w[i])).toBeLessThanOrEqual(1e-6 * ref[i] + 1e-7);
      tf.dispose([x, got, want]);
    });
  }

  test('float64 reference for a leading-axes sum', () => {
    const x = seededTensor([37, 11], 7);
    const xv = x.dataSync();
    const got = tf.sum(x, 0).dataSync();
    for (let j = 0; j < 11; j++) {
      let s = 0,
        mag = 0;
      for (let i = 0; i < 37; i++) {
        s += xv[i * 11 + j];
        mag += Math.abs(xv[i * 11 + j]);
      }
      expect(Math.abs(got[j] - s)).toBeLessThanOrEqual(1e-6 * mag);
    }
  });

  test('empty and int32 inputs', () => {
    expect(tf.sum(tf.zeros([0, 4]), 0).arraySync()).toEqual([0, 0, 0, 0]);
    expect(tf.sum(tf.zeros([3, 0]), 0).shape).toEqual([0]);
    const i = tf.tensor2d(
      [
        [1, 2],
        [3, 4],
      ],
      [2, 2],
      'int32',
    );
    expect(tf.sum(i, 0).dtype).toBe('int32');
    expect(tf.sum(i, 0).arraySync()).toEqual([4, 6]);
  });

  test('bias gradient (a leading-axes sum) matches the original kernel', () => {
    const x = seededTensor([4, 6, 8], 9),
      b = seededTensor([8], 10);
    const g = tf.grad((bb: tf.Tensor) => tf.sum(tf.square(tf.add(x, bb))));
    const got = g(b).dataSync(),
      want = plain(() => g(b)).dataSync();
    for (let i = 0; i < 8; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5 * Math.abs(want[i]) + 1e-6);
  });
});
