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
  /** 1 = the caption belongs to the scene, 0 = swapped in from another example. */
  itmLabels: number[];
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

export function corruptPretrainBatch(batch: readonly PretrainExample[], config: ModelConfig, rng: Rng): CorruptedBatch {
  const B = batch.length;
  const F = config.regionFeatureDim;
  const out: CorruptedBatch = { rows: [], scenes: [], itmLabels: [], mlm: [], mrm: [], mrmTargets: new Float32Array(0) };
  const targets: Float32Array[] = [];
  batch.forEach((ex, b) => {
    // ITM: with one example there is nothing to swap in, so it stays matched.
    let source = b;
    if (B > 1 && rng.next() < ITM_MISMATCH_PROB) {
      const j = rng.int(B - 1);
      source = j >= b ? j + 1 : j;
    }
    const matched = source === b;
    out.itmLabels.push(matched ? 1 : 0);

    const row = tokenRow([batch[source].caption], config);
    const textLen = row.length - 2; // between [CLS] and [SEP]
    const g = groundedTokenIds();
    for (const i of drawMasked(textLen, (k) => (g.has(row[k + 1]) ? GROUNDED_MLM_PROB : MLM_PROB), rng)) {
      const pos = i + 1;
      const label = row[pos];
      const r = rng.next();
      if (r < 0.8) row[pos] = MASK;
      else if (r < 0.9 && config.vocabSize > MASK + 1) row[pos] = MASK + 1 + rng.int(config.vocabSize - MASK - 1);
      if (matched) out.mlm.push({ row: b, pos, label });
    }
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
  out.mrmTargets = new Float32Array(targets.length * F);
  targets.forEach((t, k) => out.mrmTargets.set(t, k * F));
  return out;
}
