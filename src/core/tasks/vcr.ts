/**
 * VCR (UNITER's UniterForVisualCommonsenseReasoning): every (question, answerᵢ) and
 * (question, correct answer, rationaleⱼ) is one sequence ([CLS] q [SEP] a [SEP] (r [SEP]));
 * pooled [CLS] → Linear(H→2H), ReLU, LayerNorm, Linear(2H→2); per-pair softmax cross-entropy
 * ("is this the right choice?") over all 8 pairs of an example, as UNITER's train_vcr.py.
 * A choice's score is its "correct"-class logit; the argmax over the 4 choices is the answer.
 * Metrics: Q→AR (answer and rationale both right; primary), Q→A, QA→R (rationale given the
 * correct answer).
 */
import * as tf from '@tensorflow/tfjs';
import type { VcrExample } from '../data/types';
import type { Encoder, EncodeOptions, ParamMap } from '../model/types';
import type { TaskDefaults, TaskDefinition } from './types';
import type { TextScene } from './batch';
import { addMlpHead, mlpHead, oneHot, softmaxCrossEntropy } from './nn';
import { collect, encodeItems, encodeOptions, EVAL_BATCH, EVAL_OPTIONS } from './common';
import { argmaxRows, vcrAccuracy } from './metrics';

const CHOICES = 4;
/** pairs per example: 4 (Q, A) then 4 (QA, R). */
const PAIRS = 2 * CHOICES;

/** 4 examples = 32 encoded sequences (8 pairs each), the other tasks' step cost. */
export const VCR_DEFAULTS: TaskDefaults = { steps: 300, lr: 1e-3, batchSize: 4 };

function pairs(e: VcrExample): TextScene[] {
  if (e.answers.length !== CHOICES || e.rationales.length !== CHOICES)
    throw new Error('a VCR example needs 4 answers and 4 rationales');
  const correct = e.answers[e.answerLabel];
  if (!correct) throw new Error(`answer label ${e.answerLabel} outside [0, 4)`);
  return [
    ...e.answers.map((a) => ({ segments: [e.question, a], scene: e.scene })),
    ...e.rationales.map((r) => ({ segments: [e.question, correct, r], scene: e.scene })),
  ];
}

/** [B·8, 2] pair logits, example-major. */
function logits(encoder: Encoder, head: ParamMap, batch: readonly VcrExample[], opts: EncodeOptions): tf.Tensor2D {
  const { out } = encodeItems(encoder, batch.flatMap(pairs), opts);
  return mlpHead(out.pooled, head, 'vcr_output', 'relu') as tf.Tensor2D;
}

export const vcrTask: TaskDefinition<'VCR'> = {
  kind: 'VCR',
  metrics: ['qar_accuracy', 'qa_accuracy', 'qar_r_accuracy'],
  defaults: VCR_DEFAULTS,
  initHead(config, rng) {
    const head: ParamMap = new Map();
    addMlpHead(head, 'vcr_output', config.hidden, 2 * config.hidden, 2, rng);
    return head;
  },
  loss(encoder, head, batch, opts) {
    return tf.tidy(() => {
      const l = logits(encoder, head, batch, encodeOptions(opts));
      const labels = batch.flatMap((e) => [
        ...Array.from({ length: CHOICES }, (_, i) => (i === e.answerLabel ? 1 : 0)),
        ...Array.from({ length: CHOICES }, (_, i) => (i === e.rationaleLabel ? 1 : 0)),
      ]);
      return { loss: softmaxCrossEntropy(l, oneHot(labels, 2)), logits: l };
    });
  },
  evaluate(encoder, head, examples) {
    const perExample = Math.max(1, Math.floor(EVAL_BATCH / PAIRS));
    // Column 1 is the "correct" class; keep it only, as UNITER ranks by that logit.
    const scores = collect(examples, perExample, (chunk) =>
      tf.squeeze(tf.slice(logits(encoder, head, chunk, EVAL_OPTIONS), [0, 1], [-1, 1]), [1]),
    );
    const qaScores = new Float32Array(examples.length * CHOICES);
    const qarScores = new Float32Array(examples.length * CHOICES);
    examples.forEach((_, b) => {
      qaScores.set(scores.subarray(b * PAIRS, b * PAIRS + CHOICES), b * CHOICES);
      qarScores.set(scores.subarray(b * PAIRS + CHOICES, (b + 1) * PAIRS), b * CHOICES);
    });
    const m = vcrAccuracy(
      argmaxRows(qaScores, CHOICES),
      examples.map((e) => e.answerLabel),
      argmaxRows(qarScores, CHOICES),
      examples.map((e) => e.rationaleLabel),
    );
    return { qar_accuracy: m.qToAR, qa_accuracy: m.qToA, qar_r_accuracy: m.qaToR };
  },
};
