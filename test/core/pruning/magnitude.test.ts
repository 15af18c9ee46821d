import { Rng } from '../../../src/core/rng';
import { Mask } from '../../../src/core/pruning/mask';
import { globalMagnitudePrune } from '../../../src/core/pruning/magnitude';
import { linearSchedule, geometricSchedule } from '../../../src/core/pruning/schedule';
import type { SegmentSpec } from '../../../src/core/pruning/layout';

/** Reference: survivors sorted by (|w|, global index); the first `need` are pruned. */
function reference(weights: Float32Array[], keep: Uint8Array, k: number): Uint8Array {
  const flat: number[] = [];
  for (const w of weights) for (const v of w) flat.push(Math.abs(v));
  const already = keep.reduce((a, b) => a + (1 - b), 0);
  const cand = flat.map((a, i) => i).filter((i) => keep[i] === 1);
  cand.sort((i, j) => flat[i] - flat[j] || i - j);
  const out = keep.slice();
  for (let t = 0; t < k - already; t++) out[cand[t]] = 0;
  return out;
}

function makeWeights(specs: SegmentSpec[], rng: Rng, gen: (r: Rng) => number): Float32Array[] {
  return specs.map((s) => Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => gen(rng)));
}

function splitSpecs(n: number, rng: Rng): SegmentSpec[] {
  const specs: SegmentSpec[] = [];
  let left = n;
  for (let t = 0; left > 0; t++) {
    const len = t === 3 ? left : Math.min(left, 1 + rng.int(Math.max(1, n)));
    specs.push({ name: `t${t}`, shape: [len] });
    left -= len;
  }
  return specs;
}

describe('global magnitude pruning', () => {
  test('exactly round(s·N) pruned and equal to the sorted reference, for many N and s', () => {
    const rng = new Rng(5);
    for (const n of [1, 2, 3, 7, 8, 9, 31, 33, 64, 100, 257, 1000]) {
      const specs = splitSpecs(n, rng);
      // a coarse grid of values forces many ties; negative values check that |w| is used
      const weights = makeWeights(specs, rng, (r) => (r.int(41) - 20) / 8);
      for (const s of [0, 0.001, 0.1, 0.25, 0.5, 0.73, 0.9, 0.999]) {
        const k = Math.round(s * n);
        const r = globalMagnitudePrune({ layout: specs, weights, targetSparsity: s });
        expect(r.mask.pruned).toBe(k);
        expect(r.k).toBe(k);
        expect(Array.from(r.mask.unpack())).toEqual(Array.from(reference(weights, new Uint8Array(n).fill(1), k)));
      }
    }
  });

  test('ties: all-equal weights prune the lowest global indices; +0 and -0 are equal', () => {
    const specs = [
      { name: 'a', shape: [5] },
      { name: 'b', shape: [6] },
    ];
    const w = [new Float32Array(5).fill(-0.5), new Float32Array(6).fill(0.5)];
    const r = globalMagnitudePrune({ layout: specs, weights: w, targetSparsity: 7 / 11 });
    expect(Array.from(r.mask.unpack())).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect([r.tiedAtThreshold, r.prunedAtThreshold, r.threshold]).toEqual([11, 7, 0.5]);
    const z = [Float32Array.from([0, -0, 1, -0, 0]), Float32Array.from([2, 0, -1, 3, 0, 0])];
    const rz = globalMagnitudePrune({ layout: specs, weights: z, targetSparsity: 0.4 }); // k = 4 of 11
    expect(Array.from(rz.mask.unpack())).toEqual([0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1]);
  });

  test('ties among survivors only: already-pruned tied weights do not use the quota', () => {
    const specs = [{ name: 'w', shape: [8] }];
    const w = [new Float32Array(8).fill(1)];
    const current = Mask.pack(specs, Uint8Array.from([0, 1, 0, 1, 1, 1, 1, 1]));
    const r = globalMagnitudePrune({ weights: w, current, targetSparsity: 0.5 });
    expect(Array.from(r.mask.unpack())).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });

  test('nesting across the 0.1…0.9 schedule with exact counts and the reference at each level', () => {
    const rng = new Rng(11);
    const specs: SegmentSpec[] = [
      { name: 'q', shape: [17, 13] },
      { name: 'ffn', shape: [41, 9] },
      { name: 'pool', shape: [77] },
    ];
    const n = 17 * 13 + 41 * 9 + 77;
    let mask = Mask.ones(specs);
    for (const s of linearSchedule()) {
      // "training" changes weights between levels: new weights each level
      const weights = makeWeights(specs, rng, (r) => r.normal());
      const r = globalMagnitudePrune({ weights, current: mask, targetSparsity: s });
      expect(r.mask.pruned).toBe(Math.round(s * n));
      expect(r.mask.isSubsetOf(mask)).toBe(true);
      expect(Array.from(r.mask.unpack())).toEqual(Array.from(reference(weights, mask.unpack(), Math.round(s * n))));
      mask = r.mask;
    }
    for (const s of geometricSchedule(5, 0.2))
      expect(
        globalMagnitudePrune({ weights: makeWeights(specs, rng, (r) => r.normal()), layout: specs, targetSparsity: s })
          .mask.pruned,
      ).toBe(Math.round(s * n));
  });

  test('larger N with word-unaligned tensor boundaries matches the reference', () => {
    const rng = new Rng(2);
    const specs = [
      { name: 'a', shape: [999] },
      { name: 'b', shape: [37, 41] },
      { name: 'c', shape: [3001] },
    ];
    const weights = makeWeights(specs, rng, (r) => r.normal() * 1e-3);
    const first = globalMagnitudePrune({ layout: specs, weights, targetSparsity: 0.37 });
    const second = globalMagnitudePrune({ weights, current: first.mask, targetSparsity: 0.81 });
    const n = 999 + 37 * 41 + 3001;
    expect(Array.from(second.mask.unpack())).toEqual(
      Array.from(reference(weights, first.mask.unpack(), Math.round(0.81 * n))),
    );
    expect(second.newlyPruned).toBe(Math.round(0.81 * n) - Math.round(0.37 * n));
  });

  test('s = 0 keeps everything; errors on s outside [0,1), target below current, NaN, bad shapes', () => {
    const specs = [{ name: 'w', shape: [10] }];
    const w = [Float32Array.from({ length: 10 }, (_, i) => i - 5)];
    expect(globalMagnitudePrune({ layout: specs, weights: w, targetSparsity: 0 }).mask.pruned).toBe(0);
    for (const s of [-0.1, 1, 1.5, NaN])
      expect(() => globalMagnitudePrune({ layout: specs, weights: w, targetSparsity: s })).toThrow(/\[0, 1\)/);
    const half = globalMagnitudePrune({ layout: specs, weights: w, targetSparsity: 0.5 }).mask;
    expect(() => globalMagnitudePrune({ weights: w, current: half, targetSparsity: 0.3 })).toThrow(/below the current/);
    const nan = [w[0].slice()];
    nan[0][7] = NaN;
    expect(() => globalMagnitudePrune({ layout: specs, weights: nan, targetSparsity: 0.5 })).toThrow(
      /NaN weight in tensor "w" at index 7/,
    );
    expect(() => globalMagnitudePrune({ layout: specs, weights: [new Float32Array(9)], targetSparsity: 0.5 })).toThrow(
      /9 elements/,
    );
    // infinities are ordinary (largest) magnitudes
    const inf = [Float32Array.from([Infinity, 1, -Infinity, 2, 3, 4, 5, 6, 7, 8])];
    expect(
      Array.from(globalMagnitudePrune({ layout: specs, weights: inf, targetSparsity: 0.8 }).mask.unpack()),
    ).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  });
});
