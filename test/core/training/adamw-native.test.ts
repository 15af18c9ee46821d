/**
 * The fused native AdamW step against the tfjs-ops step on the wasm backend: random tensors of
 * odd sizes, masks, clipping on and off, no-decay parameters, several steps; masked weights and
 * their moments stay exactly 0; a buffer shared with another tensor is never written through.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { setNativeKernelsEnabled } from '../../../src/core/kernels/install';
import { loadNativeBlas, nativeLoadError } from '../../../src/core/kernels/native';
import { AdamW, maskTensor, type AdamWOptions } from '../../../src/core/training';
import { seededTensor } from '../kernels/reference';

const haveAdamw = typeof loadNativeBlas()?.adamw === 'function';
if (!haveAdamw)
  console.warn(`native AdamW tests SKIPPED: ${nativeLoadError() ?? 'addon built without adamw (rebuild it)'}`);
const maybe = haveAdamw ? describe : describe.skip;

const SHAPES: Record<string, number[]> = { a: [7, 13], b: [1], c: [3, 5, 11], d: [257], e: [2, 0] };

function maskFor(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  let s = seed;
  return maskTensor(
    Array.from({ length: n }, () => (((s = (s * 1103515245 + 12345) >>> 0) >>> 16) % 3 !== 0 ? 1 : 0)),
    shape,
  );
}

type Slots = { slots: Map<string, { m: tf.Variable; v: tf.Variable }> };

/** Runs `steps` updates from fixed weights; returns weights and moments after them. */
function run(native: boolean, opts: AdamWOptions, masked: boolean, steps = 4) {
  const params = new Map(
    Object.entries(SHAPES).map(([n, s], i) => [n, tf.tidy(() => tf.variable(seededTensor(s, 11 + i)))]),
  );
  const mask = masked
    ? new Map([
        ['a', maskFor(SHAPES.a, 1)],
        ['c', maskFor(SHAPES.c, 2)],
        ['d', maskFor(SHAPES.d, 3)],
      ])
    : undefined;
  const opt = new AdamW({ ...opts, native });
  const used: boolean[] = [];
  for (let k = 0; k < steps; k++) {
    // Gradients large enough that clipping (limit 1) really scales them.
    const grads = new Map(
      Object.entries(SHAPES).map(([n, s], i) => [n, tf.tidy(() => tf.mul(seededTensor(s, 100 * k + i + 1), 3))]),
    );
    opt.step(params, grads, 0.01 * (k + 1), mask);
    used.push(opt.usedNative);
    tf.dispose([...grads.values()]);
  }
  const slots = (opt as unknown as Slots).slots;
  const out = {
    used,
    p: new Map([...params].map(([n, v]) => [n, Float32Array.from(v.dataSync())])),
    m: new Map([...slots].map(([n, s]) => [n, Float32Array.from(s.m.dataSync())])),
    v: new Map([...slots].map(([n, s]) => [n, Float32Array.from(s.v.dataSync())])),
    mask: new Map([...(mask ?? [])].map(([n, t]) => [n, Float32Array.from(t.dataSync())])),
  };
  opt.dispose();
  tf.dispose([...params.values(), ...(mask?.values() ?? [])]);
  return out;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}

maybe('fused native AdamW (wasm)', () => {
  beforeAll(async () => {
    const info = await initBackend('wasm');
    expect(info.kernels).toMatch(/native/);
  });

  const cases: Array<[string, AdamWOptions, boolean]> = [
    ['defaults', {}, false],
    ['clip + masks + no-decay set', { clipNorm: 1, weightDecay: 0.1, noDecay: (n) => n === 'b' || n === 'd' }, true],
    ['clip not reached, masks', { clipNorm: 1e6, beta1: 0.5, beta2: 0.9, eps: 1e-8 }, true],
    ['no decay at all', { weightDecay: 0 }, true],
  ];
  test.each(cases)('%s: matches the tfjs path to 1e-6', (_name, opts, masked) => {
    const before = tf.memory().numTensors;
    const nat = run(true, opts, masked);
    const ref = run(false, opts, masked);
    expect(tf.memory().numTensors).toBe(before);
    expect(nat.used).toEqual([true, true, true, true]);
    expect(ref.used).toEqual([false, false, false, false]);
    for (const key of ['p', 'm', 'v'] as const) {
      for (const [n, r] of ref[key]) {
        const got = nat[key].get(n)!;
        expect(got.length).toBe(r.length);
        expect(maxRelDiff(got, r)).toBeLessThanOrEqual(1e-6);
      }
    }
    // It did move the weights, and masked entries (weights and moments) are exactly 0.
    const start = tf.tidy(() => Float32Array.from(seededTensor(SHAPES.a, 11).dataSync()));
    expect(maxRelDiff(nat.p.get('a')!, start)).toBeGreaterThan(1e-3);
    let zeros = 0;
    for (const [n, mk] of nat.mask) {
      for (let i = 0; i < mk.length; i++) {
        if (mk[i] !== 0) continue;
        zeros++;
        expect(nat.p.get(n)![i] === 0 && nat.m.get(n)![i] === 0 && nat.v.get(n)![i] === 0).toBe(true);
      }
    }
    if (masked) expect(zeros).toBeGreaterThan(50);
  });

  test('a tensor sharing the parameter buffer keeps its old values', () => {
    const p = tf.variable(tf.tensor1d([1, 2, 3]));
    const alias = tf.clone(p); // zero-copy on the native kernel set: same buffer
    const opt = new AdamW();
    const g = tf.tensor1d([1, 1, 1]);
    opt.step(new Map([['w', p]]), new Map([['w', g]]), 0.1);
    expect(opt.usedNative).toBe(true);
    expect(Array.from(alias.dataSync())).toEqual([1, 2, 3]);
    expect(p.dataSync()[0]).toBeLessThan(1);
    tf.dispose([p, alias, g]);
    opt.dispose();
  });

  test('falls back to the tfjs ops when native kernels are switched off or dtypes differ', () => {
    const p = tf.variable(tf.tensor1d([1, 2]));
    const opt = new AdamW();
    setNativeKernelsEnabled(false);
    try {
      opt.step(new Map([['w', p]]), new Map([['w', tf.tensor1d([1, 1])]]), 0.1);
      expect(opt.usedNative).toBe(false);
    } finally {
      setNativeKernelsEnabled(true);
    }
    const gi = tf.tensor1d([1, 1], 'int32');
    opt.step(new Map([['w', p]]), new Map([['w', gi]]), 0.1);
    expect(opt.usedNative).toBe(false);
    opt.step(new Map([['w', p]]), new Map([['w', tf.tensor1d([1, 1])]]), 0.1);
    expect(opt.usedNative).toBe(true);
    expect(() => opt.step(new Map([['w', p]]), new Map([['x', tf.tensor1d([1, 1])]]), 0.1)).toThrow(
      /unknown parameter x/,
    );
    tf.dispose([p, gi]);
    opt.dispose();
  });
});
