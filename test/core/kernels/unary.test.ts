/**
 * Native Exp and Erf against the wasm backend's own kernels and float64 Math.exp / a float64
 * erf series. Bounds: exp relative error <= 5e-7, erf absolute error <= 5e-7; special values
 * (±0, ±Infinity, NaN, overflow, underflow, denormals) identical to the original kernels.
 * Skipped, with a message, when the addon is not built.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { setNativeKernelsEnabled } from '../../../src/core/kernels/install';
import { loadNativeBlas, nativeLoadError } from '../../../src/core/kernels/native';
import { seededTensor } from './reference';

const haveAddon = loadNativeBlas() !== null;
if (!haveAddon) console.warn(`native Exp/Erf tests SKIPPED: ${nativeLoadError()}`);
const maybe = haveAddon ? describe : describe.skip;

/** erf in float64 by its Maclaurin series (|x| <= 3) or continued fraction tail. */
function erf64(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  let sum = 0,
    term = ax;
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1);
    term *= (-ax * ax) / (n + 1);
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
}

function plain<T>(f: () => T): T {
  setNativeKernelsEnabled(false);
  try {
    return f();
  } finally {
    setNativeKernelsEnabled(true);
  }
}

maybe('native Exp and Erf (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  test('exp: float64 reference and the original kernel on random values', () => {
    const x = tf.mul(seededTensor([3, 1001], 5), 10); // [-20, 20)
    const xv = x.dataSync(),
      got = tf.exp(x).dataSync(),
      want = plain(() => tf.exp(x)).dataSync();
    for (let i = 0; i < xv.length; i++) {
      const ref = Math.exp(xv[i]);
      expect(Math.abs(got[i] - ref) / ref).toBeLessThanOrEqual(5e-7);
      expect(Math.abs(got[i] - want[i]) / want[i]).toBeLessThanOrEqual(5e-7);
    }
  });

  test('erf: float64 reference and the original kernel on random values', () => {
    const x = tf.mul(seededTensor([2, 777], 6), 2.5); // [-5, 5)
    const xv = x.dataSync(),
      got = tf.erf(x).dataSync(),
      want = plain(() => tf.erf(x)).dataSync();
    for (let i = 0; i < xv.length; i++) {
      expect(Math.abs(got[i] - erf64(xv[i]))).toBeLessThanOrEqual(5e-7);
      expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(5e-7);
    }
  });

  test('special values match the original kernels', () => {
    const x = tf.tensor1d([0, -0, 100, -100, 88.7, -87.3, -103, Infinity, -Infinity, NaN, 3.4e38, -3.4e38, 1e-30]);
    for (const op of ['exp', 'erf'] as const) {
      const got = Array.from(tf[op](x).dataSync());
      const want = Array.from(plain(() => tf[op](x)).dataSync());
      expect(got).toEqual(want);
    }
  });

  test('empty, odd sizes and int32 inputs', () => {
    expect(tf.exp(tf.zeros([0, 3])).shape).toEqual([0, 3]);
    const odd = seededTensor([17], 8);
    const got = tf.erf(odd).dataSync(),
      want = plain(() => tf.erf(odd)).dataSync();
    for (let k = 0; k < 17; k++) expect(Math.abs(got[k] - want[k])).toBeLessThanOrEqual(5e-7);
    const i = tf.tensor1d([0, 1], 'int32');
    const msgOrValue = (f: () => tf.Tensor): string => {
      try {
        return JSON.stringify(Array.from(f().dataSync()));
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(msgOrValue(() => tf.exp(i))).toBe(plain(() => msgOrValue(() => tf.exp(i))));
  });

  test('GELU gradient (Erf forward, Exp backward) matches the original kernels', () => {
    const gelu = (x: tf.Tensor) => tf.sum(tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
    const x = tf.mul(seededTensor([5, 33], 9), 3);
    const got = tf.grad(gelu)(x).dataSync(),
      want = plain(() => tf.grad(gelu)(x)).dataSync();
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-6);
  });
});
