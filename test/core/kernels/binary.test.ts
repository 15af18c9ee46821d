/**
 * Native Add/Sub/Multiply/RealDiv (broadcasting) and broadcast-only Tile against the stock
 * wasm kernels on random odd shapes: the results must be identical (same IEEE float32 op).
 * Also Mean's replacement gradient against tfjs's own formula, and the descriptor collapse.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { setNativeKernelsEnabled } from '../../../src/core/kernels/install';
import { loadNativeBlas, nativeLoadError } from '../../../src/core/kernels/native';
import { broadcastDescriptor } from '../../../src/core/kernels/binary';
import { seededTensor } from './reference';

const haveBinary = typeof loadNativeBlas()?.binary === 'function';
if (!haveBinary)
  console.warn(`native binary-op tests SKIPPED: ${nativeLoadError() ?? 'addon built without binary (rebuild it)'}`);
const maybe = haveBinary ? describe : describe.skip;

function both(f: () => tf.Tensor): [Float32Array | Int32Array, Float32Array | Int32Array, number[]] {
  const nat = f();
  setNativeKernelsEnabled(false);
  try {
    const ref = f();
    expect(nat.shape).toEqual(ref.shape);
    const out: [Float32Array | Int32Array, Float32Array | Int32Array, number[]] = [
      nat.dataSync() as Float32Array,
      ref.dataSync() as Float32Array,
      nat.shape,
    ];
    tf.dispose([nat, ref]);
    return out;
  } finally {
    setNativeKernelsEnabled(true);
  }
}

const PAIRS: Array<[number[], number[]]> = [
  [
    [7, 13],
    [7, 13],
  ],
  [[3, 5, 11], []],
  [[], [3, 5, 11]],
  [[1088, 64], [64]],
  [
    [5, 7, 9],
    [5, 7, 1],
  ],
  [
    [6, 3, 5, 5],
    [6, 1, 1, 5],
  ],
  [
    [1, 9],
    [4, 1],
  ],
  [
    [2, 1, 3, 1, 5],
    [1, 4, 1, 6, 1],
  ],
  [
    [3, 1, 7],
    [1, 1, 1],
  ],
  [[2, 0, 3], [3]],
  [[1], [1]],
  [
    [2, 3, 4, 5, 3, 2],
    [2, 1, 4, 1, 3, 1],
  ],
  [
    [1, 3, 1, 5, 1, 2],
    [2, 1, 4, 1, 3, 1],
  ],
];

describe('broadcast descriptor', () => {
  test('merges contiguous dims and drops size-1 dims', () => {
    expect(Array.from(broadcastDescriptor([32, 34, 64], [32, 34, 64], [32, 34, 64])!)).toEqual([1, 69632, 1, 1]);
    expect(Array.from(broadcastDescriptor([32, 34, 64], [32, 34, 1], [32, 34, 64])!)).toEqual([
      2, 1088, 64, 64, 1, 1, 0,
    ]);
    expect(Array.from(broadcastDescriptor([6, 3, 5, 5], [6, 1, 1, 5], [6, 3, 5, 5])!)).toEqual([
      3, 6, 15, 5, 75, 5, 1, 5, 0, 1,
    ]);
    expect(Array.from(broadcastDescriptor([1], [], [1])!)).toEqual([1, 1, 0, 0]);
  });
});

maybe('native binary kernels (wasm)', () => {
  beforeAll(async () => {
    const info = await initBackend('wasm');
    expect(info.kernels).toMatch(/native/);
  });

  const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
    ['add', tf.add],
    ['sub', tf.sub],
    ['mul', tf.mul],
    ['div', tf.div],
  ];
  test.each(ops)('%s equals the wasm kernel on broadcast shapes', (_n, op) => {
    PAIRS.forEach(([sa, sb], i) => {
      const a = seededTensor(sa, 3 + i);
      const b = seededTensor(sb, 50 + i);
      const [nat, ref, shape] = both(() => op(a, b));
      expect(shape).toEqual(tf.backend_util.assertAndGetBroadcastShape(sa, sb));
      expect(nat.length).toBe(ref.length);
      for (let k = 0; k < ref.length; k++)
        if (!Object.is(nat[k], ref[k])) throw new Error(`${sa} op ${sb}: [${k}] ${nat[k]} != ${ref[k]}`);
      tf.dispose([a, b]);
    });
  });

  test('rank-8 alternating broadcast equals a plain JS reference', () => {
    const sa = [2, 1, 3, 1, 2, 1, 3, 1];
    const sb = [1, 2, 1, 3, 1, 2, 1, 2];
    const out = sa.map((d, i) => Math.max(d, sb[i]));
    const a = seededTensor(sa, 77);
    const b = seededTensor(sb, 78);
    const got = tf.sub(a, b);
    const av = a.dataSync(),
      bv = b.dataSync(),
      gv = got.dataSync();
    const flat = (shape: number[], idx: number[]) =>
      idx.reduce((o, x, d) => o * shape[d] + (shape[d] === 1 ? 0 : x), 0);
    for (let k = 0; k < gv.length; k++) {
      const idx: number[] = [];
      let rem = k;
      for (let d = out.length - 1; d >= 0; d--) {
        idx[d] = rem % out[d];
        rem = Math.floor(rem / out[d]);
      }
      expect(gv[k]).toBe(Math.fround(av[flat(sa, idx)] - bv[flat(sb, idx)]));
    }
    tf.dispose([a, b, got]);
  });

  test('division by zero and NaN follow IEEE like the wasm kernel', () => {
    const a = tf.tensor1d([1, -1, 0, NaN, 2]);
    const b = tf.tensor1d([0, 0, 0, 1, Infinity]);
    const [nat, ref] = both(() => tf.div(a, b));
    expect(Array.from(nat)).toEqual(Array.from(ref));
    tf.dispose([a, b]);
  });

  test('same-dtype Cast is zero-copy and outlives its source; real casts still convert', () => {
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const y = tf.cast(x, 'float32');
    const before = tf.memory().numDataBuffers;
    const z = tf.cast(x, 'float32');
    expect(tf.memory().numDataBuffers).toBe(before); // no new buffer
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2.25, 3]);
    const i = tf.cast(y, 'int32');
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([y, z, i]);
  });

  test('int32 operands fall back to the wasm kernel', () => {
    const a = tf.tensor1d([7, -3], 'int32');
    const [nat] = both(() => tf.add(a, tf.scalar(2, 'int32')));
    expect(Array.from(nat)).toEqual([9, -1]);
    a.dispose();
  });

  test('broadcastTo (Tile of size-1 dims) equals the wasm Tile; real tiling still works', () => {
    const x = seededTensor([3, 1, 5, 1], 9);
    const [nat, ref] = both(() => tf.broadcastTo(x, [2, 3, 4, 5, 6]));
    expect(Array.from(nat)).toEqual(Array.from(ref));
    const [tn, tr] = both(() => tf.tile(x, [2, 3, 1, 2]));
    expect(Array.from(tn)).toEqual(Array.from(tr));
    x.dispose();
  });

  test("Mean's gradient equals tfjs's (dy ⊙ ones) / n formula", () => {
    const x = seededTensor([4, 6, 10], 21);
    ([-1, [0, 2], 1] as Array<number | number[]>).forEach((axis, i) => {
      const meanShape = tf.tidy(() => tf.mean(x, axis, true).shape);
      const up = seededTensor(meanShape, 30 + i);
      // Native: tile(dy / n); with native kernels off: tfjs's formula. Both equal the formula.
      const [nat, plain, shape] = both(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mean(t, axis, true), up)))(x));
      const n = x.size / up.size;
      const ref = tf.tidy(() => tf.div(tf.mul(up, tf.ones(x.shape)), n));
      expect(shape).toEqual(x.shape);
      expect(Array.from(nat)).toEqual(Array.from(ref.dataSync()));
      expect(Array.from(plain)).toEqual(Array.from(ref.dataSync()));
      tf.dispose([ref, up]);
    });
    x.dispose();
  });
});
