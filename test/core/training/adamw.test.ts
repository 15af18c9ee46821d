import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { AdamW, linearWarmupDecay, maskTensor } from '../../../src/core/training';
import { createEncoder, prunableWeightNames } from '../../../src/core/model/uniter';
import { fineTune } from '../../../src/core/training';
import { Rng } from '../../../src/core/rng';
import { TOY_CONFIG, toyData, toyTask } from './toy-task';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('schedule and optimiser', () => {
  test('linear warm-up then linear decay to zero', () => {
    const lrs = Array.from({ length: 10 }, (_, s) => linearWarmupDecay(s, 10, 1, 2));
    expect(lrs[0]).toBeCloseTo(0.5);
    expect(lrs[1]).toBeCloseTo(1);
    expect(lrs[5]).toBeCloseTo(0.5);
    expect(lrs[9]).toBeCloseTo(0);
    for (let i = 2; i < 9; i++) expect(lrs[i + 1]).toBeLessThan(lrs[i]);
  });

  test('AdamW matches the PyTorch update (decoupled decay, bias correction)', () => {
    const p = tf.variable(tf.tensor1d([1, -2]));
    const opt = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 });
    const grads = [
      [0.5, -1],
      [0.25, 2],
    ];
    let ref = [1, -2];
    const m = [0, 0];
    const v = [0, 0];
    grads.forEach((g, k) => {
      const t = k + 1;
      const g1 = tf.tensor1d(g);
      opt.step(new Map([['w', p]]), new Map([['w', g1]]), 0.01);
      g1.dispose();
      ref = ref.map((x, i) => {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        const upd = m[i] / (1 - 0.9 ** t) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
        return x * (1 - 0.01 * 0.1) - 0.01 * upd;
      });
    });
    const got = p.dataSync();
    expect(got[0]).toBeCloseTo(ref[0], 6);
    expect(got[1]).toBeCloseTo(ref[1], 6);
    opt.dispose();
    p.dispose();
  });

  test('global-norm clipping scales every gradient by the same factor', () => {
    const a = tf.variable(tf.zeros([1]));
    const b = tf.variable(tf.zeros([1]));
    // with beta1 = 0 and huge eps the update is lr·g/eps: the clipped gradient itself.
    const opt = new AdamW({ beta1: 0, beta2: 0, eps: 1e6, weightDecay: 0, clipNorm: 1 });
    opt.step(
      new Map([
        ['a', a],
        ['b', b],
      ]),
      new Map([
        ['a', tf.tensor1d([3])],
        ['b', tf.tensor1d([4])],
      ]),
      1e6,
    );
    expect(a.dataSync()[0]).toBeCloseTo(-0.6, 4);
    expect(b.dataSync()[0]).toBeCloseTo(-0.8, 4);
    opt.dispose();
  });

  test('masked weights stay exactly zero through many AdamW steps with decay', () => {
    const p = tf.variable(tf.tensor1d([1, 2, 3, 4]));
    const mask = new Map([['w', maskTensor([1, 0, 1, 0], [4])]]);
    const opt = new AdamW({ weightDecay: 0.1 });
    for (let i = 0; i < 200; i++) {
      const g = tf.tensor1d([0.3, -5, 1, 7]);
      opt.step(new Map([['w', p]]), new Map([['w', g]]), 0.05, mask);
      g.dispose();
    }
    const w = p.dataSync();
    expect(w[1] === 0 && w[3] === 0).toBe(true);
    expect(w[0]).not.toBe(1);
    expect(w[2]).not.toBe(3);
    opt.dispose();
  });

  test('fineTune under a mask keeps pruned encoder weights at exactly 0', () => {
    const enc = createEncoder(TOY_CONFIG, new Rng(1));
    const rng = new Rng(2);
    const mask = new Map(
      prunableWeightNames(TOY_CONFIG).map((n) => {
        const v = enc.params.get(n)!;
        return [
          n,
          maskTensor(
            Array.from({ length: v.size }, () => (rng.next() < 0.5 ? 1 : 0)),
            v.shape,
          ),
        ] as const;
      }),
    );
    const masks = new Map([...mask].map(([n, t]) => [n, t.dataSync().slice()]));
    const before = new Map([...mask.keys()].map((n) => [n, enc.params.get(n)!.dataSync().slice()]));
    const data = toyData(TOY_CONFIG, [100, 20, 20], 4);
    const r = fineTune({ encoder: enc, task: toyTask, data, steps: 12, lr: 1e-2, seed: 1, mask });
    let zeros = 0;
    let moved = 0;
    for (const [n, m] of masks) {
      const w = r.finalWeights.get(n)!;
      const b = before.get(n)!;
      for (let i = 0; i < w.length; i++) {
        if (m[i] === 0) {
          expect(w[i] === 0).toBe(true);
          zeros++;
        } else if (w[i] !== b[i]) moved++;
      }
    }
    expect(zeros).toBeGreaterThan(1000);
    expect(moved).toBeGreaterThan(1000);
    enc.dispose();
  });

  test('abort stops training promptly and frees its tensors', () => {
    const enc = createEncoder(TOY_CONFIG, new Rng(1));
    const before = tf.memory().numTensors;
    const ac = new AbortController();
    let last = 0;
    const data = toyData(TOY_CONFIG, [50, 10, 10], 4);
    expect(() =>
      fineTune({
        encoder: enc,
        task: toyTask,
        data,
        steps: 100,
        seed: 1,
        signal: ac.signal,
        onProgress: (s) => {
          last = s;
          if (s === 3) ac.abort();
        },
      }),
    ).toThrow(/aborted at step 3/);
    expect(last).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    enc.dispose();
  });
});
