/**
 * SNLI-VE (UNITER's UniterForVisualEntailment, a VQA model with 3 answers, so the head keeps
 * VQA's parameter names "vqa_output.*"): Linear(H→2H), GELU, LayerNorm, Linear(2H→3); BCE with
 * logits on one-hot targets, as UNITER's train_ve.py; metric: accuracy.
 */
import * as tf from '@tensorflow/tfjs';
import type { SnliVeExample } from '../data/types';
import type { Encoder, EncodeOptions, ParamMap } from '../model/types';
import type { TaskDefaults, TaskDefinition } from './types';
import { addMlpHead, bceWithLogits, mlpHead, oneHot } from './nn';
import { collect, encodeItems, encodeOptions, EVAL_BATCH, EVAL_OPTIONS } from './common';
import { accuracy, argmaxRows } from './metrics';

/** entailment, neutral, contradiction */
const CLASSES = 3;

export const SNLI_VE_DEFAULTS: TaskDefaults = { steps: 300, lr: 1e-3, batchSize: 32 };

function logits(encoder: Encoder, head: ParamMap, batch: readonly SnliVeExample[], opts: EncodeOptions): tf.Tensor2D {
  const { out } = encodeItems(
    encoder,
    batch.map((e) => ({ segments: [e.hypothesis], scene: e.scene })),
    opts,
  );
  return mlpHead(out.pooled, head, 'vqa_output', 'gelu') as tf.Tensor2D;
}

export const snliVeTask: TaskDefinition<'SNLI_VE'> = {
  kind: 'SNLI_VE',
  metrics: ['accuracy'],
  defaults: SNLI_VE_DEFAULTS,
  initHead(config, rng) {
    const head: ParamMap = new Map();
    addMlpHead(head, 'vqa_output', config.hidden, 2 * config.hidden, CLASSES, rng);
    return head;
  },
  loss(encoder, head, batch, opts) {
    return tf.tidy(() => {
      const l = logits(encoder, head, batch, encodeOptions(opts));
      return {
        loss: bceWithLogits(
          l,
          oneHot(
            batch.map((e) => e.label),
            CLASSES,
          ),
        ),
        logits: l,
      };
    });
  },
  evaluate(encoder, head, examples) {
    const scores = collect(examples, EVAL_BATCH, (chunk) => logits(encoder, head, chunk, EVAL_OPTIONS));
    return {
      accuracy: accuracy(
        argmaxRows(scores, CLASSES),
        examples.map((e) => e.label),
      ),
    };
  },
};
