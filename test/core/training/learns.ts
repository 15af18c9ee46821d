/** Shared body of the per-backend training tests (tfjs backends are global per process). */
import * as tf from '@tensorflow/tfjs';
import { createEncoder } from '../../../src/core/model/uniter';
import { fineTune } from '../../../src/core/training';
import { Rng } from '../../../src/core/rng';
import { TOY_CONFIG, toyData, toyTask } from './toy-task';

const same = (a: Float32Array, b: Float32Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

export function trainingSuite(): void {
  const data = toyData(TOY_CONFIG, [300, 60, 150], 1);

  test('a tiny config learns the toy task (loss falls, accuracy above chance)', () => {
    const enc = createEncoder(TOY_CONFIG, new Rng(1));
    const r = fineTune({ encoder: enc, task: toyTask, data, steps: 90, seed: 3, evalEvery: 30 });
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(r.lossHistory.slice(0, 10));
    const last = mean(r.lossHistory.slice(-10));
    expect(last).toBeLessThan(first * 0.6);
    // chance is about 1/3
    expect(r.metrics.accuracy).toBeGreaterThan(0.6);
    expect(r.valHistory.map((v) => v.step)).toEqual([30, 60, 90]);
    enc.dispose();
  });

  test('same seed → identical weights and scores; another seed differs', () => {
    const run = (seed: number) => {
      const enc = createEncoder(TOY_CONFIG, new Rng(9));
      const r = fineTune({ encoder: enc, task: toyTask, data, steps: 8, seed });
      enc.dispose();
      return r;
    };
    const a = run(5);
    const b = run(5);
    const c = run(6);
    for (const [k, v] of a.finalWeights) expect(same(v, b.finalWeights.get(k)!)).toBe(true);
    for (const [k, v] of a.headWeights) expect(same(v, b.headWeights.get(k)!)).toBe(true);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.lossHistory).toEqual(b.lossHistory);
    expect(
      same(a.finalWeights.get('uniter.pooler.dense.weight')!, c.finalWeights.get('uniter.pooler.dense.weight')!),
    ).toBe(false);
  });

  test('no tensor leak per step, none after the run', () => {
    const enc = createEncoder(TOY_CONFIG, new Rng(2));
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    fineTune({
      encoder: enc,
      task: toyTask,
      data,
      steps: 12,
      seed: 1,
      evalEvery: 4,
      onProgress: () => counts.push(tf.memory().numTensors),
    });
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    enc.dispose();
  });
}
