/**
 * Pre-training corruption: masked regions carry the fixed [MASK]-region feature (not zeros, which
 * blew up the region LayerNorm's gradient), grounded words are masked more often than function
 * words, and the image-side gradients stay well conditioned at init.
 */
import { initBackend } from '../../../src/core/backend';
import { createEncoder } from '../../../src/core/model/uniter';
import { getTask } from '../../../src/core/tasks/registry';
import { dataSource, VOCAB_SIZE } from '../../../src/core/data';
import { Rng } from '../../../src/core/rng';
import type { ModelConfig } from '../../../src/core/model/config';
import {
  corruptPretrainBatch,
  groundedTokenIds,
  mrmMaskFeature,
  GROUNDED_MLM_PROB,
  MLM_PROB,
  PRETRAIN_ITM,
} from '../../../src/core/tasks/pretrain-corrupt';
import { VOCAB } from '../../../src/core/data/vocab';
import { MASK } from '../../../src/core/data/types';
import { gradientNorms } from './helpers';

const CONFIG: ModelConfig = {
  layers: 1,
  hidden: 16,
  heads: 2,
  intermediate: 32,
  vocabSize: VOCAB_SIZE,
  regionFeatureDim: 8,
  maxTextLength: 16,
  maxRegions: 4,
  dropout: 0.1,
};
// These checks read rows as the joint scheme lays them out (every pair masked for MLM and MRM);
// both schemes share the masking functions, and pretrain-split.test.ts covers the split layout.
let savedScheme: typeof PRETRAIN_ITM.scheme;
beforeAll(() => {
  savedScheme = PRETRAIN_ITM.scheme;
  PRETRAIN_ITM.scheme = 'joint';
});
afterAll(() => {
  PRETRAIN_ITM.scheme = savedScheme;
});

const data = dataSource('PRETRAIN').generate({
  seed: 3,
  sizes: { train: 400, val: 0, test: 0 },
  regionFeatureDim: 8,
  maxRegions: 4,
  maxTextLength: 16,
});

beforeAll(async () => {
  await initBackend('cpu');
});

test('grounded word ids: attribute values and numbers, no function words', () => {
  const g = groundedTokenIds();
  for (const w of ['red', 'cube', 'cubes', 'small', 'metal', 'two']) expect(g.has(VOCAB.id(w))).toBe(true);
  for (const w of ['a', 'is', 'the', 'and', 'there']) expect(g.has(VOCAB.id(w))).toBe(false);
});

test('masked regions get the fixed mask feature; targets keep the original features', () => {
  const F = CONFIG.regionFeatureDim;
  const mask = mrmMaskFeature(F);
  expect(mrmMaskFeature(F)).toBe(mask); // cached, same values every call
  const std = Math.sqrt(mask.reduce((s, x) => s + x * x, 0) / F);
  expect(std).toBeGreaterThan(0.5); // feature scale, not a near-zero vector
  const batch = data.train.slice(0, 32);
  const c = corruptPretrainBatch(batch, CONFIG, new Rng(5));
  expect(c.mrm.length).toBeGreaterThan(0);
  c.mrm.forEach(({ row, region }, k) => {
    const got = c.scenes[row].features.subarray(region * F, (region + 1) * F);
    expect([...got]).toEqual([...mask]);
    expect([...c.mrmTargets.subarray(k * F, (k + 1) * F)]).toEqual([
      ...batch[row].scene.features.subarray(region * F, (region + 1) * F),
    ]);
  });
  // no region is zeroed any more
  for (const s of c.scenes) {
    for (let r = 0; r < s.count; r++) expect(s.features.subarray(r * F, (r + 1) * F).some((x) => x !== 0)).toBe(true);
  }
});

test('grounded words are masked at GROUNDED_MLM_PROB, other words at MLM_PROB', () => {
  const g = groundedTokenIds();
  const seen = { grounded: [0, 0], other: [0, 0] };
  const rng = new Rng(11);
  for (let s = 0; s < data.train.length; s += 50) {
    const batch = data.train.slice(s, s + 50);
    const c = corruptPretrainBatch(batch, CONFIG, rng);
    const masked = new Set(c.mlm.map((m) => `${m.row}:${m.pos}`));
    c.rows.forEach((row, b) => {
      if (c.itmLabels[b] !== 1) return; // mlm targets are kept for matched pairs only
      const original = batch[b].caption;
      original.forEach((id, i) => {
        const bucket = g.has(id) ? seen.grounded : seen.other;
        bucket[1]++;
        if (masked.has(`${b}:${i + 1}`)) bucket[0]++;
      });
      expect(row.length).toBe(original.length + 2);
    });
  }
  const rate = (x: number[]): number => x[0] / x[1];
  expect(seen.grounded[1]).toBeGreaterThan(500);
  expect(Math.abs(rate(seen.grounded) - GROUNDED_MLM_PROB)).toBeLessThan(0.06);
  // "at least one masked token per caption" lifts the other rate slightly above MLM_PROB
  expect(rate(seen.other)).toBeGreaterThan(MLM_PROB - 0.04);
  expect(rate(seen.other)).toBeLessThan(MLM_PROB + 0.06);
  expect(MASK).toBeGreaterThan(0);
});

test('at init no image-side gradient dominates (zeroed regions gave img_linear.bias a norm ~1e4)', () => {
  const task = getTask('PRETRAIN');
  const enc = createEncoder(CONFIG, new Rng(1));
  const head = task.initHead(CONFIG, new Rng(2));
  const norms = gradientNorms(task, enc, head, data.train.slice(0, 32), 3);
  const all = [...norms.values()];
  const total = Math.sqrt(all.reduce((s, x) => s + x * x, 0));
  expect(Number.isFinite(total)).toBe(true);
  expect(norms.get('uniter.img_embeddings.img_linear.bias')!).toBeLessThan(0.5 * total);
  expect(total).toBeLessThan(100);
  enc.dispose();
  for (const v of head.values()) v.dispose();
});
