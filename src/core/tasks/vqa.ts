/**
 * VQA (UNITER's UniterForVisualQuestionAnswering): pooled [CLS] → Linear(H→2H), GELU,
 * LayerNorm, Linear(2H→numAnswers); metric: VQA score of the argmax answer.
 *
 * Loss: softmax cross-entropy against the soft scores min(1, votes / 3) normalised to sum 1
 * (OSCAR/VinVL's `loss_type kl`), not UNITER's per-answer BCE. Measured on SyntheticVL (mini-uniter
 * pre-trained with split corruption, 600 steps, lr 1e-3, seed 1): with BCE both the pre-trained and
 * the random init stay at the text-only prior (0.537 / 0.536; also at lr 1e-4–2e-3, at 1500 steps,
 * with the output bias started at the answer prior, and for every mix of two or three question
 * types), although each question type alone is learnt (attribute-only 0.669 vs 0.408 random); with
 * this loss the mix is learnt: 0.650 vs 0.547.
 */
import * as tf from '@tensorflow/tfjs';
import type { VqaExample } from '../data/types';
import type { TaskDefaults, TaskDefinition } from './types';
import { addMlpHead, mlpHead, softmaxCrossEntropy } from './nn';
import { collect, encodeItems, encodeOptions, EVAL_BATCH, EVAL_OPTIONS, vqaSoftTarget } from './common';
import type { TextScene } from './batch';
import type { Encoder, EncodeOptions, ParamMap } from '../model/types';
import { argmaxRows, meanVqaScore } from './metrics';

/** 600 steps: see the budget note in ./common.ts. */
export const VQA_DEFAULTS: TaskDefaults = { steps: 600, lr: 1e-3, batchSize: 32 };

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
        batch.forEach((e, i) => {
          const t = vqaSoftTarget(e.annotatorAnswers, numAnswers);
          // Any vote makes the sum ≥ 1/3; a row with no votes (possible in an imported set) adds no loss.
          const sum = t.reduce((a, b) => a + b, 0);
          targets.set(sum > 0 ? t.map((x) => x / sum) : t, i * numAnswers);
        });
        return { loss: softmaxCrossEntropy(l, tf.tensor2d(targets, [batch.length, numAnswers])), logits: l };
      });
    },
    evaluate(encoder, head, examples) {
      const scores = collect(examples, EVAL_BATCH, (chunk) => logits(encoder, head, chunk, EVAL_OPTIONS));
      const predicted = argmaxRows(scores, numAnswers);
      return {
        vqa_score: meanVqaScore(
          predicted,
          examples.map((e) => e.annotatorAnswers),
        ),
      };
    },
  };
}
