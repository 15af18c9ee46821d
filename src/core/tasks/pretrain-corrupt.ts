/**
 * Host-side corruption of a pre-training batch (UNITER's MLM/ITM/MRM inputs), every draw from
 * the given rng so a training step is reproducible.
 */
import type { ModelConfig } from '../model/config';
import { MASK, type PretrainExample, type SceneInput } from '../data/types';
import type { Rng } from '../rng';
import { tokenRow } from './batch';

export const MLM_PROB = 0.15;
export const MRM_PROB = 0.15;
export const ITM_MISMATCH_PROB = 0.5;

export interface CorruptedBatch {
  /** token rows ([CLS] caption [SEP]) after MLM corruption. */
  rows: number[][];
  /** scenes with the MRM-masked regions' features zeroed (copies; the examples are untouched). */
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

/** Indices drawn with probability p each; at least one (UNITER never leaves a sample unmasked). */
function drawMasked(n: number, p: number, rng: Rng): number[] {
  const picked: number[] = [];
  for (let i = 0; i < n; i++) if (rng.next() < p) picked.push(i);
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
    for (const i of drawMasked(textLen, MLM_PROB, rng)) {
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
      features.fill(0, region * F, (region + 1) * F);
    }
    out.scenes.push({ features, boxes: ex.scene.boxes.slice(0, n * 7), count: n });
  });
  out.mrmTargets = new Float32Array(targets.length * F);
  targets.forEach((t, k) => out.mrmTargets.set(t, k * F));
  return out;
}
