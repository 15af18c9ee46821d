import { initBackend } from '../../../src/core/backend';
import { prunableWeightNames } from '../../../src/core/model/names';
import { Mask, globalMagnitudePrune } from '../../../src/core/pruning';
import {
  applyMaskToWeights,
  initialWeights,
  prunableLayout,
  prunableTensors,
  relativeScore,
  toWeightMask,
  verifyPrunedZero,
  verifyRewound,
  runBaseline,
  runImpLevel,
  randomMask,
  TicketInvariantError,
} from '../../../src/core/lottery';
import { bitsEqual, TINY, tinyData, tinyTask, tinyTheta0 } from './tiny';

beforeAll(async () => {
  await initBackend('wasm');
});

const theta0 = tinyTheta0(4);
const prunable = new Set(prunableWeightNames(TINY));
const sorted = (a: Float32Array): Float32Array => a.slice().sort();

describe('weight inits', () => {
  test('SHUFFLED permutes each prunable tensor within itself, leaves the others, and is seeded', () => {
    const a = initialWeights({ theta0, config: TINY, weightInit: 'SHUFFLED', seed: 1 });
    const b = initialWeights({ theta0, config: TINY, weightInit: 'SHUFFLED', seed: 1 });
    const c = initialWeights({ theta0, config: TINY, weightInit: 'SHUFFLED', seed: 2 });
    for (const [name, w0] of theta0) {
      const w = a.get(name)!;
      expect(bitsEqual(sorted(w), sorted(w0))).toBe(true); // same multiset of values
      expect(bitsEqual(w, b.get(name)!)).toBe(true);
      if (prunable.has(name)) {
        expect(bitsEqual(w, w0)).toBe(false); // moved
        expect(bitsEqual(w, c.get(name)!)).toBe(false);
      } else {
        expect(w).toBe(w0); // untouched (shared)
      }
    }
    // θ0 itself is not modified
    expect(bitsEqual(theta0.get(prunableWeightNames(TINY)[0])!, tinyTheta0(4).get(prunableWeightNames(TINY)[0])!)).toBe(
      true,
    );
  });

  test("shuffleScope 'all' permutes every tensor with more than one distinct value", () => {
    const a = initialWeights({ theta0, config: TINY, weightInit: 'SHUFFLED', seed: 1, shuffleScope: 'all' });
    const word = 'uniter.embeddings.word_embeddings.weight';
    expect(bitsEqual(a.get(word)!, theta0.get(word)!)).toBe(false);
    expect(bitsEqual(sorted(a.get(word)!), sorted(theta0.get(word)!))).toBe(true);
  });

  test('RANDOM is a fresh seeded init, different from θ0', () => {
    const a = initialWeights({ theta0, config: TINY, weightInit: 'RANDOM', seed: 1 });
    const b = initialWeights({ theta0, config: TINY, weightInit: 'RANDOM', seed: 1 });
    const c = initialWeights({ theta0, config: TINY, weightInit: 'RANDOM', seed: 2 });
    const name = prunableWeightNames(TINY)[0];
    expect(bitsEqual(a.get(name)!, b.get(name)!)).toBe(true);
    expect(bitsEqual(a.get(name)!, c.get(name)!)).toBe(false);
    expect(bitsEqual(a.get(name)!, theta0.get(name)!)).toBe(false);
    // BERT init: N(0, 0.02)
    const w = a.get(name)!;
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
  });

  test('PRETRAINED is θ0', () => {
    const a = initialWeights({ theta0, config: TINY, weightInit: 'PRETRAINED', seed: 9 });
    for (const [n, w] of theta0) expect(a.get(n)).toBe(w);
  });
});

describe('mask ↔ training bridge', () => {
  const layout = prunableLayout(TINY);
  const mask = randomMask(TINY, 0.37, 11);

  test("WeightMask tensors hold the mask bits in each weight's shape", () => {
    const { weightMask, dispose } = toWeightMask(mask);
    expect([...weightMask.keys()]).toEqual(layout.map((s) => s.name));
    mask.segments.forEach((s, i) => {
      const t = weightMask.get(s.name)!;
      expect(t.shape).toEqual([...s.shape]);
      expect(Array.from(t.dataSync())).toEqual(Array.from(mask.unpackSegment(i)));
    });
    dispose();
  });

  test('θ ⊙ m keeps survivors bitwise and writes +0 (never −0) for pruned weights', () => {
    const m = applyMaskToWeights(theta0, mask);
    const before = prunableTensors(theta0, TINY);
    const after = prunableTensors(m, TINY);
    mask.segments.forEach((s, i) => {
      const bits = mask.unpackSegment(i);
      for (let j = 0; j < s.length; j++) {
        if (bits[j]) expect(Object.is(after[i][j], before[i][j])).toBe(true);
        else expect(Object.is(after[i][j], 0)).toBe(true);
      }
    });
    expect(() => verifyRewound(after, before, mask)).not.toThrow();
  });

  test('the checks fail on a revived weight or a survivor that moved', () => {
    const after = prunableTensors(applyMaskToWeights(theta0, mask), TINY).map((w) => w.slice());
    const before = prunableTensors(theta0, TINY);
    const bits = mask.unpackSegment(0);
    const pruned = bits.indexOf(0);
    const kept = bits.indexOf(1);
    after[0][pruned] = 1e-30;
    expect(() => verifyPrunedZero(after, mask, 'in the test')).toThrow(TicketInvariantError);
    after[0][pruned] = 0;
    after[0][kept] = Math.fround(after[0][kept] * (1 + 1e-6));
    expect(() => verifyRewound(after, before, mask)).toThrow(TicketInvariantError);
  });
});

describe('relative score', () => {
  test('score ÷ dense; PRETRAIN (a loss) dense ÷ score', () => {
    expect(relativeScore(0.6, 0.8, 'VQA')).toBeCloseTo(0.75, 12);
    expect(relativeScore(2.2, 2.0, 'PRETRAIN')).toBeCloseTo(2.0 / 2.2, 12);
    expect(relativeScore(1.9, 2.0, 'PRETRAIN')).toBeGreaterThan(1);
  });
});

describe('baselines', () => {
  const data = tinyData([64, 0, 32], 9);

  test('RANDOM: exact count, seeded per sparsity; layer-wise hits every tensor', () => {
    const a = randomMask(TINY, 0.5, 1);
    expect(a.pruned).toBe(Math.round(0.5 * a.total));
    expect(randomMask(TINY, 0.5, 1).equals(a)).toBe(true);
    expect(randomMask(TINY, 0.5, 2).equals(a)).toBe(false);
    const l = randomMask(TINY, 0.5, 1, true);
    for (const s of l.layerStats()) expect(s.pruned).toBe(Math.round(0.5 * s.total));
  });

  test("ONE_SHOT of θ0 is the global magnitude mask of θ0; of FINETUNED equals IMP level 0's next mask", () => {
    const o = runBaseline({
      method: 'ONE_SHOT',
      sparsity: 0.3,
      theta0,
      config: TINY,
      task: tinyTask,
      data,
      steps: 4,
      seed: 3,
    });
    const direct = globalMagnitudePrune({
      weights: prunableTensors(theta0, TINY),
      layout: prunableLayout(TINY),
      targetSparsity: 0.3,
    }).mask;
    expect(o.mask.equals(direct)).toBe(true);
    expect(o.evaluation.sparsity).toBe(direct.sparsity);
    const f = runBaseline({
      method: 'ONE_SHOT',
      source: 'FINETUNED',
      sparsity: 0.3,
      theta0,
      config: TINY,
      task: tinyTask,
      data,
      steps: 4,
      seed: 3,
    });
    const imp = runImpLevel({
      theta0,
      config: TINY,
      task: tinyTask,
      data,
      schedule: [0.3],
      steps: 4,
      seed: 3,
      level: 0,
      mask: null,
    });
    expect(f.mask.equals(imp.nextMask!)).toBe(true);
    expect(f.mask.equals(direct)).toBe(false);
    expect(Mask.fromPacked(prunableLayout(TINY), f.mask.toBytes()).equals(f.mask)).toBe(true);
  });
});
