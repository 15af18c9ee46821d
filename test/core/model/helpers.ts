/** Tiny configs and batches for encoder tests. */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../../src/core/model/config';
import type { EncoderInput } from '../../../src/core/model/types';
import { Rng } from '../../../src/core/rng';

export const TINY: ModelConfig = {
  layers: 2,
  hidden: 16,
  heads: 4,
  intermediate: 32,
  vocabSize: 30,
  regionFeatureDim: 8,
  maxTextLength: 6,
  maxRegions: 4,
  dropout: 0.1,
};

/** A batch with `lens[i]` real text tokens (incl. CLS/SEP) and `regs[i]` real regions. */
export function makeInput(
  c: ModelConfig,
  lens: number[],
  regs: number[],
  T: number,
  R: number,
  seed = 1,
): EncoderInput {
  const rng = new Rng(seed);
  const B = lens.length;
  const ids = new Int32Array(B * T);
  const tm = new Float32Array(B * T);
  const feats = new Float32Array(B * R * c.regionFeatureDim);
  const boxes = new Float32Array(B * R * 7);
  const rm = new Float32Array(B * R);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lens[b]; t++) {
      ids[b * T + t] = t === 0 ? 2 : 5 + rng.int(c.vocabSize - 5);
      tm[b * T + t] = 1;
    }
    for (let r = 0; r < regs[b]; r++) {
      rm[b * R + r] = 1;
      for (let f = 0; f < c.regionFeatureDim; f++) feats[(b * R + r) * c.regionFeatureDim + f] = rng.normal();
      for (let f = 0; f < 7; f++) boxes[(b * R + r) * 7 + f] = rng.next();
    }
  }
  return {
    tokenIds: tf.tensor2d(ids, [B, T], 'int32'),
    textMask: tf.tensor2d(tm, [B, T]),
    regionFeatures: tf.tensor3d(feats, [B, R, c.regionFeatureDim]),
    regionBoxes: tf.tensor3d(boxes, [B, R, 7]),
    regionMask: tf.tensor2d(rm, [B, R]),
  };
}

export function disposeInput(x: EncoderInput): void {
  tf.dispose([x.tokenIds, x.textMask, x.regionFeatures, x.regionBoxes, x.regionMask]);
}
