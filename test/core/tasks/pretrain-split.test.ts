/**
 * UNITER's split corruption: each pair serves one objective. MLM pairs keep every region, MRM pairs
 * keep every word, ITM pairs are uncorrupted (the joint scheme masked at least one region of every
 * pair, so a 1-object scene showed ITM no image). ITM labels name their rows; foils replace the
 * swapped caption at foilShare.
 */
import { dataSource, VOCAB_SIZE } from '../../../src/core/data';
import { Rng } from '../../../src/core/rng';
import type { ModelConfig } from '../../../src/core/model/config';
import { corruptPretrainBatch, PRETRAIN_ITM } from '../../../src/core/tasks/pretrain-corrupt';
import { tokenRow } from '../../../src/core/tasks/batch';
import type { PretrainExample } from '../../../src/core/data/types';

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
const data = dataSource('PRETRAIN').generate({
  seed: 3,
  sizes: { train: 400, val: 0, test: 0 },
  regionFeatureDim: 8,
  maxRegions: 4,
  maxTextLength: 16,
});
const F = CONFIG.regionFeatureDim;
const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.from(a).every((x, i) => x === b[i]);
const featuresOf = (ex: PretrainExample): Float32Array =>
  ex.scene.features.slice(0, Math.min(ex.scene.count, CONFIG.maxRegions) * F);

function withScheme<T>(scheme: 'joint' | 'split', foilShare: number, f: () => T): T {
  const saved = { ...PRETRAIN_ITM };
  PRETRAIN_ITM.scheme = scheme;
  PRETRAIN_ITM.foilShare = foilShare;
  try {
    return f();
  } finally {
    Object.assign(PRETRAIN_ITM, saved);
  }
}

test('split: every row serves exactly one objective, with the other modality whole', () => {
  const counts = { mlm: 0, mrm: 0, itm: 0 };
  withScheme('split', 0, () => {
    const rng = new Rng(4);
    for (let s = 0; s < data.train.length; s += 50) {
      const batch = data.train.slice(s, s + 50);
      const c = corruptPretrainBatch(batch, CONFIG, rng);
      expect(c.itmRows).toBeDefined();
      expect(c.itmLabels.length).toBe(c.itmRows!.length);
      const mlmRows = new Set(c.mlm.map((m) => m.row));
      const mrmRows = new Set(c.mrm.map((m) => m.row));
      const itmRows = new Set(c.itmRows);
      batch.forEach((ex, b) => {
        const roles = [mlmRows.has(b), mrmRows.has(b), itmRows.has(b)].filter(Boolean).length;
        expect(roles).toBe(1);
        if (mlmRows.has(b)) {
          counts.mlm++;
          expect(same(c.scenes[b].features, featuresOf(ex))).toBe(true);
        }
        if (mrmRows.has(b)) {
          counts.mrm++;
          expect(c.rows[b]).toEqual(tokenRow([ex.caption], CONFIG));
        }
        if (itmRows.has(b)) {
          counts.itm++;
          expect(same(c.scenes[b].features, featuresOf(ex))).toBe(true);
          const k = c.itmRows!.indexOf(b);
          // matched rows carry their own caption unmasked; swapped rows another example's
          const own = same(c.rows[b], tokenRow([ex.caption], CONFIG));
          if (c.itmLabels[k] === 1) expect(own).toBe(true);
        }
      });
    }
  });
  const n = data.train.length;
  const mix = PRETRAIN_ITM.mix;
  const total = mix.mlm + mix.mrm + mix.itm;
  expect(Math.abs(counts.mlm / n - mix.mlm / total)).toBeLessThan(0.08);
  expect(Math.abs(counts.mrm / n - mix.mrm / total)).toBeLessThan(0.08);
  expect(Math.abs(counts.itm / n - mix.itm / total)).toBeLessThan(0.08);
});

test("split with foilShare 1: every swapped ITM row is the example's foil", () => {
  let foils = 0;
  withScheme('split', 1, () => {
    const batch = data.train.slice(0, 200);
    const c = corruptPretrainBatch(batch, CONFIG, new Rng(9));
    c.itmRows!.forEach((b, k) => {
      if (c.itmLabels[k] === 1 || !batch[b].foil) return;
      expect(c.rows[b]).toEqual(tokenRow([batch[b].foil!], CONFIG));
      foils++;
    });
  });
  expect(foils).toBeGreaterThan(10);
});

test('joint labels every row and is unchanged by foils at foilShare 0', () => {
  const c = withScheme('joint', 0, () => corruptPretrainBatch(data.train.slice(0, 32), CONFIG, new Rng(5)));
  expect(c.itmRows).toBeUndefined();
  expect(c.itmLabels.length).toBe(32);
  const stripped = data.train.slice(0, 32).map((x) => ({ scene: x.scene, caption: x.caption }));
  const d = withScheme('joint', 0, () => corruptPretrainBatch(stripped, CONFIG, new Rng(5)));
  expect(d.rows).toEqual(c.rows);
  expect(d.itmLabels).toEqual(c.itmLabels);
});
