/** The Early-Bird search on a tiny task: the stop rule stops it early, the masks are exact in count and reproducible, a budget too small to converge is said so, and each draw's distances are reported. */
import { initBackend } from '../../../src/core/backend';
import { earlyBirdSearch, evaluateTicket } from '../../../src/core/lottery';
import { maskDistance } from '../../../src/core/pruning';
import { TINY, tinyData, tinyTask, tinyTheta0 } from './tiny';

const data = tinyData([64, 0, 16], 5);
let theta0: Map<string, Float32Array>;
let base: Omit<Parameters<typeof earlyBirdSearch>[0], 'steps' | 'interval' | 'window' | 'tolerance'>;

beforeAll(async () => {
  await initBackend('wasm');
  theta0 = tinyTheta0(3);
  base = { theta0, config: TINY, task: tinyTask, data, sparsities: [0.3, 0.6], seed: 2, lr: 3e-4 };
});

test('a loose rule stops the search early; masks exact in count, the same on a second search', () => {
  const draws: Array<{ step: number; distances: number[] }> = [];
  const r = earlyBirdSearch({
    ...base,
    steps: 200,
    interval: 4,
    window: 3,
    tolerance: 0.2,
    onDraw: (step, distances) => draws.push({ step, distances }),
  });
  expect(r.converged).toBe(true);
  expect(r.steps).toBeLessThan(200);
  expect(r.steps % 4).toBe(0);
  expect(r.draws).toBe(r.steps / 4);
  expect(draws).toHaveLength(r.draws - 1); // the first draw has nothing to compare with
  expect(draws[draws.length - 1].step).toBe(r.steps);
  // the rule: the last 3 draws' distances all below 0.2, every sparsity's
  for (const d of draws.slice(-3)) for (const x of d.distances) expect(x).toBeLessThan(0.2);
  expect(r.windowMax).toBe(Math.max(...draws.slice(-3).flatMap((d) => d.distances)));
  const total = r.masks[0].total;
  expect(r.masks.map((m) => m.pruned)).toEqual([Math.round(0.3 * total), Math.round(0.6 * total)]);
  const again = earlyBirdSearch({ ...base, steps: 200, interval: 4, window: 3, tolerance: 0.2 });
  expect(again.steps).toBe(r.steps);
  expect(again.masks.every((m, i) => maskDistance(m, r.masks[i]) === 0)).toBe(true);
  // an Early-Bird mask is a ticket like any other: trained under the mask, its pruned weights stay 0
  const e = evaluateTicket({ theta0, config: TINY, task: tinyTask, data, mask: r.masks[1], steps: 8, seed: 1 });
  expect(e.sparsity).toBe(r.masks[1].sparsity);
});

test('a rule that cannot be met spends the whole budget and says it did not converge', () => {
  const r = earlyBirdSearch({ ...base, steps: 24, interval: 4, window: 10, tolerance: 0.1 });
  expect(r.converged).toBe(false);
  expect(r.steps).toBe(24);
  expect(r.draws).toBe(6);
  expect(r.masks).toHaveLength(2);
});

test('bad settings are refused before training', () => {
  expect(() => earlyBirdSearch({ ...base, steps: 3, interval: 4, window: 2, tolerance: 0.1 })).toThrow(/budget/);
  expect(() => earlyBirdSearch({ ...base, steps: 10, interval: 0, window: 2, tolerance: 0.1 })).toThrow(/interval/);
});
