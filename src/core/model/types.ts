/**
 * The contract between the encoder (src/core/model), the task heads (src/core/tasks) and the
 * training loops (src/core/training).
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';

/** Named trainable tensors; names follow UNITER's state dict (e.g. "uniter.pooler.dense.weight"). */
export type ParamMap = Map<string, tf.Variable>;

/** One padded batch in UNITER's single-stream layout: text tokens first, then regions. */
export interface EncoderInput {
  /** int32 [B, T]; [CLS] first, [SEP] after the text, PAD (0) after that. */
  tokenIds: tf.Tensor2D;
  /** float32 [B, T]; 1 for real tokens (incl. CLS/SEP), 0 for padding. */
  textMask: tf.Tensor2D;
  /** float32 [B, R, regionFeatureDim]; zeros for padded regions. */
  regionFeatures: tf.Tensor3D;
  /** float32 [B, R, 7]; zeros for padded regions. */
  regionBoxes: tf.Tensor3D;
  /** float32 [B, R]; 1 for real regions. */
  regionMask: tf.Tensor2D;
}

export interface EncodeOptions {
  /** dropout on when true. */
  training: boolean;
  /** seed for this call's dropout masks (deterministic training). */
  dropoutSeed?: number;
  /**
   * Adversarial hook (VILLA/FreeLB): called with the word embeddings [B, T, H] (before
   * position/type embeddings and LayerNorm) and with the raw region features [B, R, F]; returns
   * the perturbed tensor. Absent in standard training.
   */
  perturb?: (where: 'word' | 'region', x: tf.Tensor3D) => tf.Tensor3D;
  /**
   * [B, H] added to every region's type embedding (token type 1) of each sequence. UNITER's paired
   * NLVR2 gives the second image its own token type, initialised from type 1 (`init_type_embedding`);
   * the NLVR2 head passes a learnt shift for its second-scene sequences and zeros for the first.
   */
  regionTypeShift?: tf.Tensor2D;
}

export interface EncoderOutput {
  /** [B, T + R, H]: text positions first, then region positions. */
  sequence: tf.Tensor3D;
  /** [B, H]: pooler (dense + tanh) over the first ([CLS]) position. */
  pooled: tf.Tensor2D;
}

export interface Encoder {
  readonly config: ModelConfig;
  /** the backbone's parameters (UNITER names). */
  readonly params: ParamMap;
  encode(input: EncoderInput, opts: EncodeOptions): EncoderOutput;
}
