/**
 * NLVR2, UNITER's "paired" variant (UniterForNlvr2Paired): (scene₁, statement) and
 * (scene₂, statement) are encoded as two sequences, their pooled [CLS] vectors concatenated and
 * fed to Linear(2H→2); softmax cross-entropy; metric: accuracy. As UNITER's paired format
 * (`use_img_type`, `init_type_embedding`), the second scene's regions get their own token type,
 * initialised from the image type: here type 1 plus a head parameter `nlvr2_img_type_shift` that
 * starts at 0. Without it a sequence cannot tell which scene it holds, and "only the left image
 * contains …" is left to the linear head alone. (On the earlier statement mix it changed little:
 * 0.526 vs 0.487 pre-trained vs random init, 3 seeds, against 0.526 vs 0.488 without it.)
 */
import * as tf from '@tensorflow/tfjs';
import type { Nlvr2Example } from '../data/types';
import type { Encoder, EncodeOptions, ParamMap } from '../model/types';
import type { TaskDefaults, TaskDefinition } from './types';
import { addLinear, constVariable, oneHot, softmaxCrossEntropy } from './nn';
import { linear } from '../model/layers';
import { collect, encodeItems, encodeOptions, EVAL_BATCH, EVAL_OPTIONS } from './common';
import { accuracy, argmaxRows } from './metrics';

/** 16 examples = 32 encoded sequences, the other tasks' step cost. */
export const NLVR2_DEFAULTS: TaskDefaults = { steps: 300, lr: 1e-3, batchSize: 16 };

/** The second scene's image-type embedding minus the first's ([H], starts at 0). */
const TYPE_SHIFT = 'nlvr2_img_type_shift';

/** [B, 2] logits. One encoder call holds all first-scene sequences, then all second-scene ones. */
function logits(encoder: Encoder, head: ParamMap, batch: readonly Nlvr2Example[], opts: EncodeOptions): tf.Tensor2D {
  const items = [0, 1].flatMap((s) => batch.map((e) => ({ segments: [e.statement], scene: e.scenes[s] })));
  const B = batch.length;
  const H = encoder.config.hidden;
  const shift = tf.reshape(head.get(TYPE_SHIFT)!, [1, H]);
  const regionTypeShift = tf.concat([tf.zeros([B, H]), tf.tile(shift, [B, 1])], 0) as tf.Tensor2D;
  const { out } = encodeItems(encoder, items, { ...opts, regionTypeShift });
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
    head.set(TYPE_SHIFT, constVariable([config.hidden], 0));
    return head;
  },
  loss(encoder, head, batch, opts) {
    return tf.tidy(() => {
      const l = logits(encoder, head, batch, encodeOptions(opts));
      return {
        loss: softmaxCrossEntropy(
          l,
          oneHot(
            batch.map((e) => e.label),
            2,
          ),
        ),
        logits: l,
      };
    });
  },
  evaluate(encoder, head, examples) {
    // Each example is two sequences, so half the usual chunk keeps the encoder batch the same.
    const scores = collect(examples, EVAL_BATCH / 2, (chunk) => logits(encoder, head, chunk, EVAL_OPTIONS));
    return {
      accuracy: accuracy(
        argmaxRows(scores, 2),
        examples.map((e) => e.label),
      ),
    };
  },
};
