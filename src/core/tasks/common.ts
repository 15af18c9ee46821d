/** Plumbing shared by the task files: encode options, evaluation in chunks, head disposal. */
import * as tf from '@tensorflow/tfjs';
import type { EncodeOptions, Encoder, EncoderOutput } from '../model/types';
import type { Rng } from '../rng';
import { buildBatch, chunks, type BuiltBatch, type TextScene } from './batch';

export type LossOptions = EncodeOptions & { rng: Rng };

/**
 * Task defaults (steps, lr, batchSize) live in each task file. Each default step encodes about 32
 * sequences; lr 1e-3. Steps per task: 600 for VQA and GQA, 300 for the others. lr (measured with
 * scripts/calibrate.ts, split-pre-trained mini-uniter, seed 1): at 1e-4 the pre-trained model fell
 * below random init on VQA, GQA and NLVR2 (−0.13, −0.09, −0.08); at 3e-4 VQA −0.06, GQA −0.04,
 * NLVR2 −0.01; at 1e-3 GQA +0.17, NLVR2 +0.09, VCR +0.27, SNLI-VE +0.16, REFCOCO +0.13, RETRIEVAL
 * +0.42: its pooled [CLS] (trained for ITM) needs the larger step to be re-purposed.
 */

/** Sequences per encoder call during evaluation (bounded memory, no gradient). */
export const EVAL_BATCH = 64;

/** Evaluation: no dropout, no perturbation. */
export const EVAL_OPTIONS: EncodeOptions = { training: false };

/** The encoder's share of the loss options (the rng stays with the task). */
export function encodeOptions(opts: LossOptions): EncodeOptions {
  return { training: opts.training, dropoutSeed: opts.dropoutSeed, perturb: opts.perturb };
}

/** Builds the padded batch and encodes it in one call. */
export function encodeItems(
  encoder: Encoder,
  items: readonly TextScene[],
  opts: EncodeOptions,
): { out: EncoderOutput; built: BuiltBatch } {
  const built = buildBatch(items, encoder.config);
  return { out: encoder.encode(built.input, opts), built };
}

/**
 * Runs `fn` over consecutive chunks of `items`, each inside its own tidy, and returns the
 * host copies of its outputs concatenated: evaluation keeps no tensor alive.
 */
export function collect<E>(items: readonly E[], size: number, fn: (chunk: E[]) => tf.Tensor): Float32Array {
  const parts: Float32Array[] = [];
  for (const [s, e] of chunks(items.length, size)) {
    parts.push(tf.tidy(() => fn(items.slice(s, e)).dataSync() as Float32Array).slice());
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Count of `votes` equal to each class, as min(1, count / 3): the VQA soft target. */
export function vqaSoftTarget(votes: readonly number[], numAnswers: number): Float32Array {
  const t = new Float32Array(numAnswers);
  for (const v of votes) {
    if (!(Number.isInteger(v) && v >= 0 && v < numAnswers)) throw new Error(`answer ${v} outside [0, ${numAnswers})`);
    t[v] += 1;
  }
  for (let i = 0; i < numAnswers; i++) t[i] = Math.min(1, t[i] / 3);
  return t;
}
