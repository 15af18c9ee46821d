import { Rng } from '../../../src/core/rng';
import { Mask } from '../../../src/core/pruning/mask';
import { randomPrune } from '../../../src/core/pruning/random';
import { jaccard, maskOverlap } from '../../../src/core/pruning/overlap';
import { shuffleWithinTensors } from '../../../src/core/pruning/shuffle';
import {
  linearSchedule,
  geometricSchedule,
  validateSchedule,
  checkScheduleCounts,
} from '../../../src/core/pruning/schedule';
import { nextMask, pruningMethodNames } from '../../../src/core/pruning/registry';

const specs = [
  { name: 'a', shape: [13, 7] },
  { name: 'b', shape: [100] },
  { name: 'c', shape: [3] },
  { name: 'd', shape: [250] },
];
const N = 91 + 100 + 3 + 250;

describe('random pruning', () => {
  test('global: exactly round(s·N), deterministic per seed, different across seeds, nested', () => {
    for (const s of [0, 0.01, 0.3, 0.5, 0.77, 0.99]) {
      const r = randomPrune({ layout: specs, targetSparsity: s, rng: new Rng(1) });
      expect(r.mask.pruned).toBe(Math.round(s * N));
      expect(randomPrune({ layout: specs, targetSparsity: s, rng: new Rng(1) }).mask.equals(r.mask)).toBe(true);
      if (s >= 0.3)
        expect(randomPrune({ layout: specs, targetSparsity: s, rng: new Rng(2) }).mask.equals(r.mask)).toBe(false);
    }
    let m = Mask.ones(specs);
    const rng = new Rng(7);
    for (const s of linearSchedule()) {
      const r = randomPrune({ current: m, targetSparsity: s, rng });
      expect(r.mask.pruned).toBe(Math.round(s * N));
      expect(r.mask.isSubsetOf(m)).toBe(true);
      m = r.mask;
    }
    expect(() => randomPrune({ current: m, targetSparsity: 0.5, rng })).toThrow(/below the current/);
  });

  test('layer-wise: every tensor exactly round(s·N_t); total is the sum', () => {
    for (const s of [0.1, 0.5, 0.65]) {
      const r = randomPrune({ layout: specs, targetSparsity: s, rng: new Rng(3), layerwise: true });
      const stats = r.mask.layerStats();
      stats.forEach((st) => expect(st.pruned).toBe(Math.round(s * st.total)));
      expect(r.k).toBe(stats.reduce((a, st) => a + st.pruned, 0));
      expect(r.mask.pruned).toBe(r.k);
    }
    // nested layer-wise on a mask that already pruned one tensor more than the target refuses
    const skewed = Mask.pack(
      specs,
      specs.map((s, i) => new Uint8Array(s.shape.reduce((a, b) => a * b, 1)).fill(i === 1 ? 0 : 1)),
    );
    expect(() => randomPrune({ current: skewed, targetSparsity: 0.5, rng: new Rng(1), layerwise: true })).toThrow(
      /tensor "b"/,
    );
  });

  test('uniform: each survivor is pruned with frequency close to need/survivors', () => {
    const lay = [{ name: 'w', shape: [40] }];
    const current = Mask.pack(
      lay,
      Uint8Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 0 : 1)),
    ); // 10 pruned
    const counts = new Array(40).fill(0);
    const trials = 4000;
    const rng = new Rng(99);
    for (let t = 0; t < trials; t++) {
      const m = randomPrune({ current, targetSparsity: 0.5, rng }).mask; // 10 more of 30 survivors
      for (let i = 0; i < 40; i++) if (!m.get(i)) counts[i]++;
    }
    for (let i = 0; i < 40; i++) {
      if (i % 4 === 0) expect(counts[i]).toBe(trials);
      else expect(Math.abs(counts[i] / trials - 1 / 3)).toBeLessThan(0.04); // σ ≈ 0.0075
    }
  });
});

describe('overlap, schedules, shuffle, registry', () => {
  test('Jaccard on known masks; all-pruned pair is 1; layouts must agree', () => {
    const lay = [{ name: 'w', shape: [40] }];
    const a = Mask.pack(
      lay,
      Uint8Array.from({ length: 40 }, (_, i) => (i < 20 ? 1 : 0)),
    );
    const b = Mask.pack(
      lay,
      Uint8Array.from({ length: 40 }, (_, i) => (i >= 10 && i < 35 ? 1 : 0)),
    );
    expect(maskOverlap(a, b)).toEqual({ intersection: 10, union: 35, jaccard: 10 / 35 });
    expect(jaccard(a, a)).toBe(1);
    const none = Mask.pack(lay, new Uint8Array(40));
    expect(jaccard(none, none)).toBe(1);
    expect(jaccard(a, none)).toBe(0);
    expect(() => jaccard(a, Mask.ones([{ name: 'w', shape: [41] }]))).toThrow(/different layouts/);
  });

  test('schedules', () => {
    expect(linearSchedule()).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    const g = geometricSchedule(3, 0.2);
    expect(g).toEqual([0.2, 0.36, 0.488]);
    expect(() => linearSchedule(10, 0.1)).toThrow(/\(0, 1\)/);
    expect(() => validateSchedule([0.2, 0.2])).toThrow(/increase/);
    expect(() => geometricSchedule(3, 1)).toThrow();
    expect(() => checkScheduleCounts([0.1, 0.12], 10)).toThrow(/not more than/);
    expect(() => checkScheduleCounts(linearSchedule(), 10)).not.toThrow();
  });

  test('shuffle is a permutation within each tensor: same multiset, different order, seeded', () => {
    const t = [Float32Array.from({ length: 500 }, (_, i) => i * 0.5), Float32Array.from({ length: 64 }, (_, i) => -i)];
    const s1 = shuffleWithinTensors(t, new Rng(4));
    const s2 = shuffleWithinTensors(t, new Rng(4));
    const s3 = shuffleWithinTensors(t, new Rng(5));
    t.forEach((orig, i) => {
      expect(Array.from(s1[i]).sort((x, y) => x - y)).toEqual(Array.from(orig).sort((x, y) => x - y));
      expect(Array.from(s1[i])).not.toEqual(Array.from(orig));
      expect(Array.from(s1[i])).toEqual(Array.from(s2[i]));
      expect(Array.from(s1[i])).not.toEqual(Array.from(s3[i]));
    });
    expect(t[0][3]).toBe(1.5); // input untouched
  });

  test('registry: IMP nests, ONE_SHOT from dense, RANDOM exact; unknown method refused', () => {
    expect(pruningMethodNames()).toEqual(['IMP', 'ONE_SHOT', 'RANDOM']);
    const rng = new Rng(8);
    const weights = specs.map((s) =>
      Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    );
    const l1 = nextMask({ method: 'IMP', layout: specs, weights, targetSparsity: 0.2 });
    const l2 = nextMask({
      method: 'IMP',
      current: l1.mask,
      weights: weights.map((w) => w.map((v, i) => v + (i % 5) * 0.1)),
      targetSparsity: 0.4,
    });
    expect(l2.mask.isSubsetOf(l1.mask)).toBe(true);
    expect(l2.mask.pruned).toBe(Math.round(0.4 * N));
    const os = nextMask({ method: 'ONE_SHOT', layout: specs, weights, targetSparsity: 0.4 });
    expect(os.mask.pruned).toBe(Math.round(0.4 * N));
    expect(() => nextMask({ method: 'ONE_SHOT', current: l1.mask, weights, targetSparsity: 0.4 })).toThrow(/dense/);
    const rnd = nextMask({
      method: 'RANDOM',
      current: l1.mask,
      targetSparsity: 0.4,
      rng: new Rng(1),
      layerwise: false,
    });
    expect(rnd.mask.pruned).toBe(Math.round(0.4 * N));
    expect(rnd.mask.isSubsetOf(l1.mask)).toBe(true);
    expect(() => nextMask({ method: 'RANDOM', layout: specs, targetSparsity: 0.4 })).toThrow(/rng/);
    expect(() => nextMask({ method: 'LTH', layout: specs, targetSparsity: 0.4 })).toThrow(/unknown pruning method/);
  });
});
