/**
 * Instability analysis on a tiny task: the line's ends are the two trained copies exactly (their
 * own scores, to the last digit), 11 points, the barrier as defined, pruned weights 0 in both
 * copies, and the same inputs give the same line.
 */
import { initBackend } from '../../../src/core/backend';
import { instabilityAnalysis, lerpWeights, prunableTensors, randomMask, scoreOf } from '../../../src/core/lottery';
import { TINY, tinyData, tinyTask, tinyTheta0 } from './tiny';

let theta0: Map<string, Float32Array>;
const data = tinyData([48, 0, 24], 6);

beforeAll(async () => {
  await initBackend('wasm');
  theta0 = tinyTheta0(4);
});

test('lerpWeights: α = 0 and 1 are the ends exactly, α = 0.5 the midpoint', () => {
  const a = new Map([['w', Float32Array.from([1, -2, 0.1])]]);
  const b = new Map([['w', Float32Array.from([3, 2, 0.7])]]);
  expect(Array.from(lerpWeights(a, b, 0).get('w')!)).toEqual(Array.from(a.get('w')!));
  expect(Array.from(lerpWeights(a, b, 1).get('w')!)).toEqual(Array.from(b.get('w')!));
  expect(Array.from(lerpWeights(a, b, 0.5).get('w')!)).toEqual(Array.from(Float32Array.from([2, 0, 0.4])));
});

test('a masked network at two rewind points: ends equal the copies’ scores, barrier as defined, reproducible', () => {
  const mask = randomMask(TINY, 0.5, 3);
  for (const rewindStep of [0, 4]) {
    const o = {
      theta0,
      config: TINY,
      task: tinyTask,
      data,
      mask,
      rewindStep,
      steps: 12,
      lr: 1e-3,
      seeds: [1, 2] as [number, number],
    };
    const r = instabilityAnalysis({ ...o, keepCopies: true });
    expect(r.alphas).toHaveLength(11);
    expect(r.alphas[0]).toBe(0);
    expect(r.alphas[10]).toBe(1);
    const [a, b] = r.copies!;
    expect(r.scores[0]).toBe(scoreOf(o, data.test, a.encoder, a.head, a.shapes));
    expect(r.scores[10]).toBe(scoreOf(o, data.test, b.encoder, b.head, b.shapes));
    expect(r.barrier).toBe((r.scores[0] + r.scores[10]) / 2 - Math.min(...r.scores));
    for (const c of r.copies!) {
      const bits = mask.unpack();
      let i = 0;
      for (const t of prunableTensors(c.encoder, TINY))
        for (let j = 0; j < t.length; j++, i++) if (!bits[i]) expect(t[j]).toBe(0);
    }
    // different data orders: the copies differ
    expect(Array.from(a.encoder.values())[3]).not.toEqual(Array.from(b.encoder.values())[3]);
    expect(instabilityAnalysis(o).scores).toEqual(r.scores);
  }
});

test('bad settings are refused', () => {
  const o = { theta0, config: TINY, task: tinyTask, data, mask: null, steps: 4, seeds: [1, 2] as [number, number] };
  expect(() => instabilityAnalysis({ ...o, rewindStep: 5 })).toThrow(/rewindStep/);
  expect(() => instabilityAnalysis({ ...o, rewindStep: 0, seeds: [3, 3] })).toThrow(/different seeds/);
});
