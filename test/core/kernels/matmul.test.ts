/**
 * Native OpenBLAS matmul kernels against a float64 reference and against the wasm
 * backend's own (original) kernels. Skipped, with a message, when the addon is not built.
 * Error bounds: elementwise |native - float64| <= 1e-5 · Σ|a_ik·b_kj| (float32 rounding over
 * K <= 70 terms), and |native - original wasm kernel| <= 1e-4 absolute for inputs in [-2, 2).
 */
import * as tf from '@tensorflow/tfjs';
import { computeInfo, initBackend } from '../../../src/core/backend';
import { nativeKernelStatus, setNativeKernelsEnabled } from '../../../src/core/kernels/install';
import { loadNativeBlas, nativeLoadError } from '../../../src/core/kernels/native';
import { errors, refMatmul, seededTensor } from './reference';

const REL_BOUND = 1e-5;
const VS_PLAIN_BOUND = 1e-4;
const haveAddon = loadNativeBlas() !== null;
if (!haveAddon) console.warn(`native kernel tests SKIPPED: ${nativeLoadError()}`);
const maybe = haveAddon ? describe : describe.skip;

function withKernels<T>(native: boolean, f: () => T): T {
  setNativeKernelsEnabled(native);
  try {
    return f();
  } finally {
    setNativeKernelsEnabled(true);
  }
}

function maxDiff(x: tf.Tensor, y: tf.Tensor): number {
  expect(x.shape).toEqual(y.shape);
  const a = x.dataSync(),
    b = y.dataSync();
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

maybe('native BLAS matmul kernels (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  test('reports the kernel set in computeInfo', () => {
    expect(computeInfo().kernels).toMatch(/^native-blas \(openblas, \d+ threads?\)$/);
    expect(nativeKernelStatus().installed).toBe(true);
  });

  test('output larger than the heap forces memory growth and is still right', () => {
    const heapBefore = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
    const m = Math.ceil(Math.sqrt(heapBefore.length / 4)) + 64;
    const a = seededTensor([m, 1], 1),
      b = seededTensor([1, m], 2);
    const c = tf.matMul(a, b);
    const heapAfter = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
    expect(heapAfter.buffer).not.toBe(heapBefore.buffer);
    const av = a.dataSync(),
      bv = b.dataSync(),
      cv = c.dataSync();
    for (const [i, j] of [
      [0, 0],
      [m - 1, m - 1],
      [17, m - 3],
      [m >> 1, 5],
    ]) {
      expect(Math.abs(cv[i * m + j] - av[i] * bv[j])).toBeLessThan(1e-6);
    }
    tf.dispose([a, b, c]);
  });

  const sizes: Array<[number, number, number]> = [
    [1, 1, 1],
    [3, 17, 5],
    [17, 33, 1],
    [33, 3, 64],
    [48, 70, 13],
  ];
  for (const [m, k, n] of sizes) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        test(`m=${m} k=${k} n=${n} transposeA=${ta} transposeB=${tb}, batch 3`, () => {
          const a = seededTensor(ta ? [3, k, m] : [3, m, k], m * 7 + k);
          const b = seededTensor(tb ? [3, n, k] : [3, k, n], n * 11 + k);
          const got = tf.matMul(a, b, ta, tb);
          const ref = refMatmul(a, b, ta, tb);
          expect(got.shape).toEqual(ref.shape);
          const e = errors(got.dataSync(), ref);
          expect(e.rel).toBeLessThanOrEqual(REL_BOUND);
          const plain = withKernels(false, () => tf.matMul(a, b, ta, tb));
          expect(maxDiff(got, plain)).toBeLessThanOrEqual(VS_PLAIN_BOUND);
          tf.dispose([a, b, got, plain]);
        });
      }
    }
  }

  const broadcasts: Array<[number[], number[]]> = [
    [
      [1, 5, 7],
      [4, 7, 3],
    ],
    [
      [4, 5, 7],
      [1, 7, 3],
    ],
    [
      [5, 7],
      [2, 3, 7, 3],
    ],
    [
      [2, 1, 5, 7],
      [1, 3, 7, 3],
    ],
    [
      [3, 1, 2, 5, 7],
      [4, 1, 7, 3],
    ],
  ];
  for (const [as, bs] of broadcasts) {
    test(`broadcast batch ${JSON.stringify(as)} x ${JSON.stringify(bs)}`, () => {
      const a = seededTensor(as, as.length * 13),
        b = seededTensor(bs, bs.length * 17);
      const got = tf.matMul(a, b);
      const ref = refMatmul(a, b, false, false);
      expect(got.shape).toEqual(ref.shape);
      expect(errors(got.dataSync(), ref).rel).toBeLessThanOrEqual(REL_BOUND);
      tf.dispose([a, b, got]);
    });
  }

  test('empty shapes: zero rows, zero inner dimension (zeros), zero batch', () => {
    const r1 = tf.matMul(tf.zeros([0, 3]), seededTensor([3, 4], 3));
    expect(r1.shape).toEqual([0, 4]);
    const r2 = tf.matMul(seededTensor([2, 3, 0], 4), seededTensor([2, 0, 5], 5));
    expect(r2.shape).toEqual([2, 3, 5]);
    expect(Array.from(r2.dataSync()).every((v) => v === 0)).toBe(true);
    const r3 = tf.matMul(tf.zeros([0, 2, 3]), seededTensor([0, 3, 4], 6));
    expect(r3.shape).toEqual([0, 2, 4]);
  });

  test('non-float32 inputs go to the original kernel', () => {
    const a = tf.tensor2d(
      [
        [1, 2],
        [3, 4],
      ],
      [2, 2],
      'int32',
    );
    let nativeMsg = '',
      plainMsg = '';
    let nativeOut: number[] | null = null,
      plainOut: number[] | null = null;
    try {
      nativeOut = Array.from(tf.matMul(a, a).dataSync());
    } catch (e) {
      nativeMsg = (e as Error).message;
    }
    withKernels(false, () => {
      try {
        plainOut = Array.from(tf.matMul(a, a).dataSync());
      } catch (e) {
        plainMsg = (e as Error).message;
      }
    });
    expect(nativeMsg).toBe(plainMsg);
    expect(nativeOut).toEqual(plainOut);
  });

  test('gradients through matMul (all transposes) match the original kernels', () => {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = seededTensor(ta ? [2, 9, 6] : [2, 6, 9], 21),
          b = seededTensor(tb ? [2, 5, 9] : [2, 9, 5], 22);
        const w = seededTensor([2, 6, 5], 23);
        const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), w));
        const g = tf.grads(f);
        const [ga, gb] = g([a, b]);
        const [pa, pb] = withKernels(false, () => g([a, b]));
        expect(maxDiff(ga, pa)).toBeLessThanOrEqual(VS_PLAIN_BOUND);
        expect(maxDiff(gb, pb)).toBeLessThanOrEqual(VS_PLAIN_BOUND);
        tf.dispose([a, b, w, ga, gb, pa, pb]);
      }
    }
  });

  test('fused matMul (bias, relu) forward and gradient match the original kernels', () => {
    const x = seededTensor([7, 12], 31),
      k = seededTensor([12, 9], 32),
      bias = seededTensor([9], 33);
    for (const activation of ['linear', 'relu'] as const) {
      const fwd = () => tf.fused.matMul({ a: x, b: k, bias, activation });
      expect(maxDiff(fwd(), withKernels(false, fwd))).toBeLessThanOrEqual(VS_PLAIN_BOUND);
    }
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c })));
    const g = tf.grads(loss);
    const got = g([x, k, bias]);
    const want = withKernels(false, () => g([x, k, bias]));
    for (let i = 0; i < 3; i++) expect(maxDiff(got[i], want[i])).toBeLessThanOrEqual(1e-3);
  });

  test('a dense layer trains identically on native and original kernels', () => {
    const run = (): number[] => {
      const layer = tf.layers.dense({ units: 6, inputShape: [10], activation: 'relu', kernelInitializer: 'ones' });
      const model = tf.sequential({ layers: [layer] });
      const opt = tf.train.sgd(0.01);
      const xs = seededTensor([8, 10], 41),
        ys = seededTensor([8, 6], 42);
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) {
        const l = opt.minimize(() => tf.losses.meanSquaredError(ys, model.apply(xs) as tf.Tensor), true);
        losses.push(l!.dataSync()[0]);
      }
      return losses;
    };
    const nat = run();
    const plain = withKernels(false, run);
    for (let i = 0; i < nat.length; i++)
      expect(Math.abs(nat[i] - plain[i])).toBeLessThanOrEqual(1e-4 * Math.abs(plain[i]) + 1e-6);
  });
});
