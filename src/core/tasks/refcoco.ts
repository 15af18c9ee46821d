/**
 * RefCOCO(+) (UNITER's UniterForReferringExpressionComprehension): Linear(H→1) on every region
 * position of the sequence output; padded regions get a large negative score (UNITER's -1e4)
 * so the softmax cross-entropy over regions only sees real ones; metric: accuracy of the argmax
 * region. re_output.bias is kept for checkpoint parity; the softmax is shift-invariant, so it never
 * receives a gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { RefcocoExample } from '../data/types';
import type { Encoder, EncodeOptions, ParamMap } from '../model/types';
import type { TaskDefaults, TaskDefinition } from './types';
import { addLinear, oneHot, softmaxCrossEntropy } from './nn';
import { linear } from '../model/layers';
import { collect, encodeItems, encodeOptions, EVAL_BATCH, EVAL_OPTIONS } from './common';
import { regionStates } from './batch';
import { accuracy } from './metrics';

/** Score of a padded region: exp() underflows to exactly 0 in float32. */
export const MASKED_SCORE = -1e4;

export const REFCOCO_DEFAULTS: TaskDefaults = { steps: 300, lr: 1e-3, batchSize: 32 };

/** [B, R] region scores with padded regions at MASKED_SCORE. */
function logits(encoder: Encoder, head: ParamMap, batch: readonly RefcocoExample[], opts: EncodeOptions): tf.Tensor2D {
  const { out, built } = encodeItems(
    encoder,
    batch.map((e) => ({ segments: [e.expression], scene: e.scene })),
    opts,
  );
  const scores = tf.squeeze(linear(head, 're_output', regionStates(out.sequence, built)), [2]);
  return tf.add(scores, tf.mul(tf.sub(1, built.input.regionMask), MASKED_SCORE)) as tf.Tensor2D;
}

function checkTargets(batch: readonly RefcocoExample[], maxRegions: number): void {
  for (const e of batch) {
    if (!(e.target >= 0 && e.target < Math.min(e.scene.count, maxRegions))) {
      throw new Error(
        `referred region ${e.target} is not one of the scene's ${Math.min(e.scene.count, maxRegions)} encoded regions`,
      );
    }
  }
}

export const refcocoTask: TaskDefinition<'REFCOCO'> = {
  kind: 'REFCOCO',
  metrics: ['accuracy'],
  defaults: REFCOCO_DEFAULTS,
  initHead(config, rng) {
    const head: ParamMap = new Map();
    addLinear(head, 're_output', config.hidden, 1, rng);
    return head;
  },
  loss(encoder, head, batch, opts) {
    checkTargets(batch, encoder.config.maxRegions);
    return tf.tidy(() => {
      const l = logits(encoder, head, batch, encodeOptions(opts));
      return {
        loss: softmaxCrossEntropy(
          l,
          oneHot(
            batch.map((e) => e.target),
            l.shape[1],
          ),
        ),
        logits: l,
      };
    });
  },
  evaluate(encoder, head, examples) {
    checkTargets(examples, encoder.config.maxRegions);
    // Region counts differ between chunks, so each chunk's argmax is taken inside it.
    const predicted = collect(examples, EVAL_BATCH, (chunk) =>
      tf.argMax(logits(encoder, head, chunk, EVAL_OPTIONS), 1).toFloat(),
    );
    return {
      accuracy: accuracy(
        Array.from(predicted),
        examples.map((e) => e.target),
      ),
    };
  },
};
