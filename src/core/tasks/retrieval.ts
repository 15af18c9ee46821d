/**
 * Image–text retrieval (UNITER's UniterForImageTextRetrieval): rank score = Linear(H→1) on the
 * pooled [CLS] ("rank_output"). Training: for each positive (captionᵢ, sceneᵢ) of the batch, one
 * negative caption and one negative scene drawn from the rest of the batch with the task rng;
 * hinge loss max(0, 0.2 + σ(neg) − σ(pos)) averaged over the 2 negatives of every positive
 * (UNITER's sample of 1 positive + 1 text-negative + 1 image-negative). Evaluation scores every
 * caption × scene pair of the split (N² sequences: the split size sets the cost); metrics:
 * IR R@1 (primary), R@5, R@10 and TR R@1, R@5, R@10.
 */
import * as tf from '@tensorflow/tfjs';
import type { RetrievalExample } from '../data/types';
import type { Encoder, EncodeOptions, ParamMap } from '../model/types';
import type { Rng } from '../rng';
import type { TaskDefaults, TaskDefinition } from './types';
import type { TextScene } from './batch';
import { addLinear } from './nn';
import { linear } from '../model/layers';
import { collect, encodeItems, encodeOptions, EVAL_BATCH, EVAL_OPTIONS } from './common';
import { recallAtK } from './metrics';

export const MARGIN = 0.2;

/** 12 positives = 36 encoded sequences (positive, text negative, image negative). */
export const RETRIEVAL_DEFAULTS: TaskDefaults = { steps: 300, lr: 1e-3, batchSize: 12 };

/** [N] rank scores (logits) of N (caption, scene) sequences. */
function rankScores(encoder: Encoder, head: ParamMap, items: readonly TextScene[], opts: EncodeOptions): tf.Tensor1D {
  const { out } = encodeItems(encoder, items, opts);
  return tf.squeeze(linear(head, 'rank_output', out.pooled), [1]) as tf.Tensor1D;
}

/** An index in [0, n) other than `i` (n ≥ 2). */
function other(i: number, n: number, rng: Rng): number {
  const j = rng.int(n - 1);
  return j >= i ? j + 1 : j;
}

const pair = (caption: number, scene: number, batch: readonly RetrievalExample[]): TextScene => ({
  segments: [batch[caption].caption],
  scene: batch[scene].scene,
});

/** Caption-major [N·N] scores: entry c·N + s scores caption c against scene s. */
export function scoreMatrix(encoder: Encoder, head: ParamMap, examples: readonly RetrievalExample[]): Float32Array {
  const n = examples.length;
  const pairs = Array.from({ length: n * n }, (_, k) => [Math.floor(k / n), k % n] as const);
  return collect(pairs, 2 * EVAL_BATCH, (chunk) =>
    rankScores(
      encoder,
      head,
      chunk.map(([c, s]) => pair(c, s, examples)),
      EVAL_OPTIONS,
    ),
  );
}

/**
 * UNITER's init_output: the rank head starts as the "matched" row of a pre-trained ITM head
 * (rank_output.weight = itm_output.weight[1:], rank_output.bias = itm_output.bias[1:]). Returns
 * head start values for fine-tuning (e.g. FineTuneOptions.headWeights), or null when the
 * pre-training head has no ITM output.
 */
export function rankHeadFromItm(
  pretrainHead: ReadonlyMap<string, Float32Array>,
  hidden: number,
): Map<string, Float32Array> | null {
  const w = pretrainHead.get('itm_output.weight');
  const b = pretrainHead.get('itm_output.bias');
  if (!w || !b) return null;
  if (w.length !== 2 * hidden || b.length !== 2) throw new Error(`itm_output is not [2, ${hidden}]`);
  return new Map([
    ['rank_output.weight', w.slice(hidden, 2 * hidden)],
    ['rank_output.bias', b.slice(1, 2)],
  ]);
}

export const retrievalTask: TaskDefinition<'RETRIEVAL'> = {
  kind: 'RETRIEVAL',
  metrics: ['ir_r1', 'ir_r5', 'ir_r10', 'tr_r1', 'tr_r5', 'tr_r10'],
  defaults: RETRIEVAL_DEFAULTS,
  initHead(config, rng) {
    const head: ParamMap = new Map();
    addLinear(head, 'rank_output', config.hidden, 1, rng);
    return head;
  },
  loss(encoder, head, batch, opts) {
    const B = batch.length;
    if (B < 2) throw new Error('retrieval training draws in-batch negatives: batch size must be ≥ 2');
    const negCaption = batch.map((_, i) => other(i, B, opts.rng));
    const negScene = batch.map((_, i) => other(i, B, opts.rng));
    const items = [
      ...batch.map((_, i) => pair(i, i, batch)),
      ...negCaption.map((c, i) => pair(c, i, batch)),
      ...negScene.map((s, i) => pair(i, s, batch)),
    ];
    return tf.tidy(() => {
      const logits = rankScores(encoder, head, items, encodeOptions(opts));
      const probs = tf.sigmoid(logits);
      const pos = tf.slice(probs, [0], [B]);
      const neg = tf.reshape(tf.slice(probs, [B], [2 * B]), [2, B]);
      const loss = tf.mean(tf.relu(tf.add(tf.sub(neg, pos), MARGIN))) as tf.Scalar;
      return { loss, logits: tf.reshape(logits, [3, B]) };
    });
  },
  evaluate(encoder, head, examples) {
    const n = examples.length;
    // IR: each caption ranks every scene; TR: each scene ranks every caption (ties count against).
    const r = recallAtK(scoreMatrix(encoder, head, examples), n, n);
    return { ...r };
  },
};
