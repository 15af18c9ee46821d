/**
 * Examples → EncoderInput tensors in UNITER's single-stream layout:
 * [CLS] segment₁ [SEP] segment₂ [SEP] … PAD…, then the scene's regions, each padded to the
 * batch's longest text / largest region count. Pure host-side construction: no gradients.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../model/config';
import type { EncoderInput } from '../model/types';
import { CLS, PAD, SEP, type SceneInput, type Tokens } from '../data/types';

/** One sequence to encode: one or more text segments and one scene. */
export interface TextScene {
  segments: readonly Tokens[];
  scene: SceneInput;
}

export interface BuiltBatch {
  input: EncoderInput;
  /** T: text positions of the sequence output (CLS … SEP … PAD). */
  textLength: number;
  /** R: region positions, which follow the text positions in the sequence output. */
  regionCount: number;
  /** the token rows actually encoded (after clipping), without padding. */
  tokenRows: number[][];
}

/**
 * Clips segments so that [CLS] + segments + one [SEP] each fits in maxTextLength + 2 tokens,
 * removing the last token of the currently longest segment first (BERT's truncate_seq_pair),
 * so that a short answer is not cut away by a long question.
 */
export function clipSegments(segments: readonly Tokens[], maxTextLength: number): Tokens[] {
  const out = segments.map((s) => s.slice());
  const budget = Math.max(0, maxTextLength + 1 - out.length);
  let total = out.reduce((a, s) => a + s.length, 0);
  while (total > budget) {
    let longest = 0;
    for (let i = 1; i < out.length; i++) if (out[i].length > out[longest].length) longest = i;
    out[longest].pop();
    total--;
  }
  return out;
}

/** [CLS] seg₁ [SEP] seg₂ [SEP] …, clipped to the config's text budget. */
export function tokenRow(segments: readonly Tokens[], config: ModelConfig): number[] {
  const row = [CLS];
  for (const s of clipSegments(segments, config.maxTextLength)) row.push(...s, SEP);
  return row;
}

function checkScene(scene: SceneInput, featureDim: number): void {
  if (!(Number.isInteger(scene.count) && scene.count >= 1))
    throw new Error(`scene region count ${scene.count} must be ≥ 1`);
  if (scene.features.length < scene.count * featureDim) {
    throw new Error(`scene has ${scene.features.length} feature values, needs ${scene.count}×${featureDim}`);
  }
  if (scene.boxes.length < scene.count * 7)
    throw new Error(`scene has ${scene.boxes.length} box values, needs ${scene.count}×7`);
}

/** Builds tensors from precomputed token rows (used when a task corrupts tokens first, e.g. MLM). */
export function buildFromRows(
  rows: readonly number[][],
  scenes: readonly SceneInput[],
  config: ModelConfig,
): BuiltBatch {
  if (rows.length !== scenes.length || rows.length === 0)
    throw new Error('a batch needs ≥ 1 row and one scene per row');
  const B = rows.length;
  const F = config.regionFeatureDim;
  const T = Math.max(...rows.map((r) => r.length));
  if (T > config.maxTextLength + 2) throw new Error(`token row of ${T} exceeds maxTextLength + 2`);
  for (const s of scenes) checkScene(s, F);
  const R = Math.max(...scenes.map((s) => Math.min(s.count, config.maxRegions)));

  const ids = new Int32Array(B * T).fill(PAD);
  const textMask = new Float32Array(B * T);
  const feats = new Float32Array(B * R * F);
  const boxes = new Float32Array(B * R * 7);
  const regionMask = new Float32Array(B * R);
  for (let b = 0; b < B; b++) {
    rows[b].forEach((id, t) => {
      ids[b * T + t] = id;
      textMask[b * T + t] = 1;
    });
    const n = Math.min(scenes[b].count, config.maxRegions);
    feats.set(scenes[b].features.subarray(0, n * F), b * R * F);
    boxes.set(scenes[b].boxes.subarray(0, n * 7), b * R * 7);
    regionMask.fill(1, b * R, b * R + n);
  }
  return {
    input: {
      tokenIds: tf.tensor2d(ids, [B, T], 'int32'),
      textMask: tf.tensor2d(textMask, [B, T]),
      regionFeatures: tf.tensor3d(feats, [B, R, F]),
      regionBoxes: tf.tensor3d(boxes, [B, R, 7]),
      regionMask: tf.tensor2d(regionMask, [B, R]),
    },
    textLength: T,
    regionCount: R,
    tokenRows: rows.map((r) => r.slice()),
  };
}

/** The batch builder every task uses: pads text to the batch's longest row, regions to its largest scene. */
export function buildBatch(items: readonly TextScene[], config: ModelConfig): BuiltBatch {
  return buildFromRows(
    items.map((it) => tokenRow(it.segments, config)),
    items.map((it) => it.scene),
    config,
  );
}

/** The region positions [B, R, H] of a sequence output [B, T + R, H] (slice: differentiable on wasm). */
export function regionStates(sequence: tf.Tensor3D, built: BuiltBatch): tf.Tensor3D {
  const [B, , H] = sequence.shape;
  return tf.slice(sequence, [0, built.textLength, 0], [B, built.regionCount, H]);
}

/** Splits `n` items into consecutive [start, end) chunks of at most `size`. */
export function chunks(n: number, size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = 0; s < n; s += size) out.push([s, Math.min(n, s + size)]);
  return out;
}
