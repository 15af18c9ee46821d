/**
 * NLVR2, UNITER's "paired" variant (UniterForNlvr2Paired): (scene₁, statement) and
 * (scene₂, statement) are encoded as two sequences, their pooled [CLS] vectors concatenated and
 * fed to Linear(2H→2); softmax cross-entropy; metric: accuracy.
 */
import * as tf from '@tensorflow/tfjs';
import type { Nlvr2Example } from '../data/types';
import type { Encoder, EncodeOptions, ParamMap } from '../model/types';
import type { TaskDefaults, TaskDefinition } from './types';
import { addLinear, oneHot, softmaxCrossEntropy } from './nn';
import { linear } from '../model/layers';
import { collect, encodeItems, encodeOptions, EVAL_BATCH, EVAL_OPTIONS } from './common';
import { accuracy, argmaxRows } from './metrics';

/** 16 examples = 32 encoded sequences, the other tasks' step cost. */
export const NLVR2_DEFAULTS: TaskDefaults = { steps: 300, lr: 3e-4, batchSize: 16 };

/** [B, 2] logits. One encoder call holds all first-scene sequences, then all second-scene ones. */
function logits(encoder: Encoder, head: ParamMap, batch: readonly Nlvr2Example[], opts: EncodeOptions): tf.Tensor2D {
  const items = [0, 1].flatMap((s) => batch.map((e) => ({ segments: [e.statement], scene: e.scenes[s] })));
  const { out } = encodeItems(encoder, items, opts);
  const B = batch.length;
  const H = out.pooled.shape[1];
  const first = tf.slice(out.pooled, [0, 0], [B, H]);
  const second = tf.slice(out.pooled, [B, 0], [B, H]);
  return linear(head, 'nlvr2_output', tf.concat([first, second], 1)) as tf.Tensor2D;
}

export const nlvr2Task: TaskDefinition<'NLVR2'> = {
  kind: 'NLVR2',
  metrics: ['accuracy'],
  defaults: NLVR2_DEFAULTS,
  initHead(config, rng) {
    const head: ParamMap = new Map();
    addLinear(head, 'nlvr2_output', 2 * config.hidden, 2, rng);
    return head;
  },
  loss(encoder, head, batch, opts) {
    return tf.tidy(() => {
      const l = logits(encoder, head, batch, encodeOptions(opts));
      return { loss: softmaxCrossEntropy(l, oneHot(batch.map((e) => e.label), 2)), logits: l };
    });
  },
  evaluate(encoder, head, examples) {
    // Each example is two sequences, so half the usual chunk keeps the encoder batch the same.
    const scores = collect(examples, EVAL_BATCH / 2, (chunk) => logits(encoder, head, chunk, EVAL_OPTIONS));
    return { accuracy: accuracy(argmaxRows(scores, 2), examples.map((e) => e.label)) };
  },
};
