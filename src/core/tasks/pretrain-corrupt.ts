/**
 * Host-side corruption of a pre-training batch (UNITER's MLM/ITM/MRM inputs), every draw from
 * the given rng so a training step is reproducible.
 */
import type { ModelConfig } from '../model/config';
import { MASK, type PretrainExample, type SceneInput } from '../data/types';
import { VOCAB } from '../data/vocab';
import { COLOURS, MATERIALS, SHAPES, SHAPE_PLURALS, SIZES } from '../data/world';
import { NUMBER_WORDS } from '../data/vocab';
import { Rng } from '../rng';
import { tokenRow } from './batch';

export const MLM_PROB = 0.15;
/**
 * Masking rate of grounded words (sizes, colours, materials, shapes, numbers): the words only the
 * image can predict. At a uniform 15% most MLM targets are function words the template grammar
 * gives away, and the little signal left for word–region grounding is what downstream tasks need.
 */
export const GROUNDED_MLM_PROB = 0.5;

let grounded: Set<number> | null = null;
/** Token ids of the grounded words. */
export function groundedTokenIds(): Set<number> {
  if (!grounded) {
    const words = [...SIZES, ...COLOURS, ...MATERIALS, ...SHAPES, ...SHAPE_PLURALS, ...NUMBER_WORDS];
    grounded = new Set(words.map((w) => VOCAB.id(w)));
  }
  return grounded;
}
export const MRM_PROB = 0.15;
export const ITM_MISMATCH_PROB = 0.5;
/**
 * ITM negatives: share of mismatched pairs that take the example's foil (a caption of a nearly
 * identical scene, verified false of this one) instead of another pair's caption, when the
 * example has one. A random caption of another scene is true of this scene only 3.4% of the time
 * (measured), but it usually differs in many attributes, so shallow attribute overlap separates
 * it; a foil differs in one word–region binding. 0 keeps the random swaps only (and draws no
 * extra random numbers).
 */
export const PRETRAIN_ITM: {
  foilShare: number;
  evalFoils: boolean;
  scheme: 'joint' | 'split';
  mix: { mlm: number; mrm: number; itm: number };
} = {
  foilShare: 0,
  /** evaluation also reports itm_foil_accuracy (every negative a foil). */
  evalFoils: false,
  /**
   * 'joint': every pair is masked for MLM and MRM and takes part in ITM. At least one region is
   * always masked, so a 1-object scene shows ITM no image at all, and half the grounded words are
   * masked: on 1-object scenes with "a large red metal cube" captions ITM stayed at chance for 600
   * steps at any lr (measured). 'split' (UNITER, the default): each pair serves one objective,
   * drawn with `mix`; the shipped model was pre-trained so (12,000 steps: val ITM 0.90).
   */
  scheme: 'split',
  mix: { mlm: 0.4, mrm: 0.2, itm: 0.4 },
};

/**
 * Masked regions get this fixed feature vector instead of zeros (a "[MASK] region"). Zeros made
 * img_linear's output equal to its bias, constant across the hidden units at init, so the
 * region LayerNorm divided by √eps (eps 1e-12): img_linear.bias received a gradient of norm
 * ~4.5e4 at init, and global clipping then shrank every other gradient to nothing. A fixed
 * vector of the scale of real features (a sum of 4 N(0, 1) attribute embeddings: std 2 per
 * entry) keeps the LayerNorm well conditioned and is still recognisable as "masked".
 */
export const MRM_MASK_SEED = 0x3a5c;
const maskFeatures = new Map<number, Float32Array>();
export function mrmMaskFeature(featureDim: number): Float32Array {
  let f = maskFeatures.get(featureDim);
  if (!f) {
    const rng = new Rng(MRM_MASK_SEED);
    f = Float32Array.from({ length: featureDim }, () => 2 * rng.normal());
    maskFeatures.set(featureDim, f);
  }
  return f;
}

export interface CorruptedBatch {
  /** token rows ([CLS] caption [SEP]) after MLM corruption. */
  rows: number[][];
  /** scenes with the MRM-masked regions' features replaced by mrmMaskFeature (copies; the examples are untouched). */
  scenes: SceneInput[];
  /** 1 = the caption belongs to the scene, 0 = swapped in from another example (or a foil). */
  itmLabels: number[];
  /** rows the itmLabels belong to, in order; absent = every row. */
  itmRows?: number[];
  /** masked token positions (in the row, [CLS] = 0) of matched pairs and their original ids. */
  mlm: Array<{ row: number; pos: number; label: number }>;
  /** masked regions of matched pairs. */
  mrm: Array<{ row: number; region: number }>;
  /** original features of the `mrm` regions, row-major [mrm.length, regionFeatureDim]. */
  mrmTargets: Float32Array;
}

/** Indices drawn with probability p(i) each; at least one (UNITER never leaves a sample unmasked). */
function drawMasked(n: number, p: number | ((i: number) => number), rng: Rng): number[] {
  const picked: number[] = [];
  for (let i = 0; i < n; i++) if (rng.next() < (typeof p === 'number' ? p : p(i))) picked.push(i);
  if (picked.length === 0 && n > 0) picked.push(rng.int(n));
  return picked;
}

/** Masks MLM positions of a row in place (80% [MASK], 10% random word, 10% kept); returns (pos, original id). */
function maskTokens(row: number[], config: ModelConfig, rng: Rng): Array<{ pos: number; label: number }> {
  const g = groundedTokenIds();
  const out: Array<{ pos: number; label: number }> = [];
  const textLen = row.length - 2; // between [CLS] and [SEP]
  for (const i of drawMasked(textLen, (k) => (g.has(row[k + 1]) ? GROUNDED_MLM_PROB : MLM_PROB), rng)) {
    const pos = i + 1;
    const label = row[pos];
    const r = rng.next();
    if (r < 0.8) row[pos] = MASK;
    else if (r < 0.9 && config.vocabSize > MASK + 1) row[pos] = MASK + 1 + rng.int(config.vocabSize - MASK - 1);
    out.push({ pos, label });
  }
  return out;
}

/** A swap partner for example b (another example of the batch), or b itself (matched). */
function itmSource(b: number, B: number, rng: Rng): number {
  if (B > 1 && rng.next() < ITM_MISMATCH_PROB) {
    const j = rng.int(B - 1);
    return j >= b ? j + 1 : j;
  }
  return b;
}

export function corruptPretrainBatch(
  batch: readonly PretrainExample[],
  config: ModelConfig,
  rng: Rng,
  foilShare = PRETRAIN_ITM.foilShare,
): CorruptedBatch {
  return PRETRAIN_ITM.scheme === 'split'
    ? corruptSplit(batch, config, rng, foilShare)
    : corruptJoint(batch, config, rng, foilShare);
}

function finish(out: CorruptedBatch, targets: Float32Array[], F: number): CorruptedBatch {
  out.mrmTargets = new Float32Array(targets.length * F);
  targets.forEach((t, k) => out.mrmTargets.set(t, k * F));
  return out;
}

/**
 * UNITER's scheme: each pair serves one objective. MLM pairs mask words and keep every region,
 * MRM pairs mask regions and keep every word (conditional masking: the other modality is whole),
 * ITM pairs are uncorrupted, half of them swapped. ITM labels only the ITM rows (itmRows).
 */
function corruptSplit(
  batch: readonly PretrainExample[],
  config: ModelConfig,
  rng: Rng,
  foilShare: number,
): CorruptedBatch {
  const B = batch.length;
  const F = config.regionFeatureDim;
  const out: CorruptedBatch = {
    rows: [],
    scenes: [],
    itmLabels: [],
    itmRows: [],
    mlm: [],
    mrm: [],
    mrmTargets: new Float32Array(0),
  };
  const targets: Float32Array[] = [];
  const mix = PRETRAIN_ITM.mix;
  const total = mix.mlm + mix.mrm + mix.itm;
  batch.forEach((ex, b) => {
    const u = rng.next() * total;
    const n = Math.min(ex.scene.count, config.maxRegions);
    const features = ex.scene.features.slice(0, n * F);
    let row: number[];
    if (u < mix.mlm) {
      row = tokenRow([ex.caption], config);
      for (const m of maskTokens(row, config, rng)) out.mlm.push({ row: b, ...m });
    } else if (u < mix.mlm + mix.mrm) {
      row = tokenRow([ex.caption], config);
      for (const region of drawMasked(n, MRM_PROB, rng)) {
        out.mrm.push({ row: b, region });
        targets.push(ex.scene.features.slice(region * F, (region + 1) * F));
        features.set(mrmMaskFeature(F), region * F);
      }
    } else {
      const source = itmSource(b, B, rng);
      const matched = source === b;
      const foil = !matched && foilShare > 0 && ex.foil && rng.next() < foilShare ? ex.foil : null;
      row = tokenRow([foil ?? batch[source].caption], config);
      out.itmRows!.push(b);
      out.itmLabels.push(matched ? 1 : 0);
    }
    out.rows.push(row);
    out.scenes.push({ features, boxes: ex.scene.boxes.slice(0, n * 7), count: n });
  });
  return finish(out, targets, F);
}

/** Every pair is corrupted for all three objectives at once (the recipe of the first shipped model). */
function corruptJoint(
  batch: readonly PretrainExample[],
  config: ModelConfig,
  rng: Rng,
  foilShare: number,
): CorruptedBatch {
  const B = batch.length;
  const F = config.regionFeatureDim;
  const out: CorruptedBatch = {
    rows: [],
    scenes: [],
    itmLabels: [],
    mlm: [],
    mrm: [],
    mrmTargets: new Float32Array(0),
  };
  const targets: Float32Array[] = [];
  batch.forEach((ex, b) => {
    // ITM: with one example there is nothing to swap in, so it stays matched.
    const source = itmSource(b, B, rng);
    const matched = source === b;
    out.itmLabels.push(matched ? 1 : 0);
    const foil = !matched && foilShare > 0 && ex.foil && rng.next() < foilShare ? ex.foil : null;

    const row = tokenRow([foil ?? batch[source].caption], config);
    for (const m of maskTokens(row, config, rng)) if (matched) out.mlm.push({ row: b, ...m });
    out.rows.push(row);

    const n = Math.min(ex.scene.count, config.maxRegions);
    const features = ex.scene.features.slice(0, n * F);
    for (const region of drawMasked(n, MRM_PROB, rng)) {
      if (matched) {
        out.mrm.push({ row: b, region });
        targets.push(ex.scene.features.slice(region * F, (region + 1) * F));
      }
      features.set(mrmMaskFeature(F), region * F);
    }
    out.scenes.push({ features, boxes: ex.scene.boxes.slice(0, n * 7), count: n });
  });
  return finish(out, targets, F);
}
