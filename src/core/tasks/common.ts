/** Plumbing shared by the task files: encode options, evaluation in chunks, head disposal. */
import * as tf from '@tensorflow/tfjs';
import type { EncodeOptions, Encoder, EncoderOutput } from '../model/types';
import type { Rng } from '../rng';
import { buildBatch, chunks, type BuiltBatch, type TextScene } from './batch';

export type LossOptions = EncodeOptions & { rng: Rng };

/**
 * Task defaults (steps, lr, batchSize) live in each task file. Each default step encodes about 32
 * sequences; lr 3e-4. Steps per task (measured with scripts/calibrate.ts, shipped model, 3 seeds):
 * 300 for SNLI-VE, NLVR2, REFCOCO — the pre-trained model's lead over random init is a head start
 * that random init closes with more steps (at 600: REFCOCO −0.07, NLVR2 +0.00, SNLI-VE +0.03);
 * 600 for VQA and GQA, where at 300 random init led (−0.05, −0.07) and at 600 it no longer does
 * (0.00, +0.03); VCR and RETRIEVAL sit at chance either way and keep the cheaper 300.
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
export function encodeItems(encoder: Encoder, items: readonly TextScene[], opts: EncodeOptions): { out: EncoderOutput; built: BuiltBatch } {
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
