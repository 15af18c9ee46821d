/**
 * VQA (UNITER's UniterForVisualQuestionAnswering): pooled [CLS] → Linear(H→2H), GELU,
 * LayerNorm, Linear(2H→numAnswers); BCE with logits on the soft targets min(1, votes / 3),
 * summed over answers as UNITER's train_vqa.py; metric: VQA score of the argmax answer.
 */
import * as tf from '@tensorflow/tfjs';
import type { VqaExample } from '../data/types';
import type { TaskDefaults, TaskDefinition } from './types';
import { addMlpHead, bceWithLogits, mlpHead } from './nn';
import { collect, encodeItems, encodeOptions, EVAL_BATCH, EVAL_OPTIONS, vqaSoftTarget } from './common';
import type { TextScene } from './batch';
import type { Encoder, EncodeOptions, ParamMap } from '../model/types';
import { argmaxRows, meanVqaScore } from './metrics';

/** 600 steps: see the budget note in ./common.ts. */
export const VQA_DEFAULTS: TaskDefaults = { steps: 600, lr: 3e-4, batchSize: 32 };

const item = (e: VqaExample): TextScene => ({ segments: [e.question], scene: e.scene });

function logits(encoder: Encoder, head: ParamMap, batch: readonly VqaExample[], opts: EncodeOptions): tf.Tensor2D {
  const { out } = encodeItems(encoder, batch.map(item), opts);
  return mlpHead(out.pooled, head, 'vqa_output', 'gelu') as tf.Tensor2D;
}

export function createVqaTask(numAnswers: number): TaskDefinition<'VQA'> {
  return {
    kind: 'VQA',
    metrics: ['vqa_score'],
    defaults: VQA_DEFAULTS,
    initHead(config, rng) {
      const head: ParamMap = new Map();
      addMlpHead(head, 'vqa_output', config.hidden, 2 * config.hidden, numAnswers, rng);
      return head;
    },
    loss(encoder, head, batch, opts) {
      return tf.tidy(() => {
        const l = logits(encoder, head, batch, encodeOptions(opts));
        const targets = new Float32Array(batch.length * numAnswers);
        batch.forEach((e, i) => targets.set(vqaSoftTarget(e.annotatorAnswers, numAnswers), i * numAnswers));
        return { loss: bceWithLogits(l, tf.tensor2d(targets, [batch.length, numAnswers])), logits: l };
      });
    },
    evaluate(encoder, head, examples) {
      const scores = collect(examples, EVAL_BATCH, (chunk) => logits(encoder, head, chunk, EVAL_OPTIONS));
      const predicted = argmaxRows(scores, numAnswers);
      return { vqa_score: meanVqaScore(predicted, examples.map((e) => e.annotatorAnswers)) };
    },
  };
}
