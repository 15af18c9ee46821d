/**
 * GQA: not in the UNITER repository; the head mirrors VQA's (Linear(H→2H), GELU, LayerNorm,
 * Linear(2H→numAnswers)) with one exact answer per question, hence softmax cross-entropy;
 * metric: accuracy.
 */
import * as tf from '@tensorflow/tfjs';
import type { GqaExample } from '../data/types';
import type { Encoder, EncodeOptions, ParamMap } from '../model/types';
import type { TaskDefaults, TaskDefinition } from './types';
import { addMlpHead, mlpHead, oneHot, softmaxCrossEntropy } from './nn';
import { collect, encodeItems, encodeOptions, EVAL_BATCH, EVAL_OPTIONS } from './common';
import { accuracy, argmaxRows } from './metrics';

/** 600 steps: see the budget note in ./common.ts. */
export const GQA_DEFAULTS: TaskDefaults = { steps: 600, lr: 1e-3, batchSize: 32 };

function logits(encoder: Encoder, head: ParamMap, batch: readonly GqaExample[], opts: EncodeOptions): tf.Tensor2D {
  const { out } = encodeItems(
    encoder,
    batch.map((e) => ({ segments: [e.question], scene: e.scene })),
    opts,
  );
  return mlpHead(out.pooled, head, 'gqa_output', 'gelu') as tf.Tensor2D;
}

export function createGqaTask(numAnswers: number): TaskDefinition<'GQA'> {
  return {
    kind: 'GQA',
    metrics: ['accuracy'],
    defaults: GQA_DEFAULTS,
    initHead(config, rng) {
      const head: ParamMap = new Map();
      addMlpHead(head, 'gqa_output', config.hidden, 2 * config.hidden, numAnswers, rng);
      return head;
    },
    loss(encoder, head, batch, opts) {
      return tf.tidy(() => {
        const l = logits(encoder, head, batch, encodeOptions(opts));
        const targets = oneHot(
          batch.map((e) => e.answer),
          numAnswers,
        );
        return { loss: softmaxCrossEntropy(l, targets), logits: l };
      });
    },
    evaluate(encoder, head, examples) {
      const scores = collect(examples, EVAL_BATCH, (chunk) => logits(encoder, head, chunk, EVAL_OPTIONS));
      return {
        accuracy: accuracy(
          argmaxRows(scores, numAnswers),
          examples.map((e) => e.answer),
        ),
      };
    },
  };
}
