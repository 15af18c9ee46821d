/**
 * Pre-training (UNITER's UniterForPretraining, DESIGN §3): MLM + ITM + MRM (feature regression)
 * on one corrupted batch, loss = weighted sum.
 * - ITM: half the captions (each with p = 0.5, from the task rng) are swapped for another caption
 *   of the batch; Linear(H→2) "itm_output" on the pooled [CLS]; label 1 = matched; CE.
 * - MLM: 15% of caption tokens (at least one) → 80% [MASK], 10% random word, 10% kept; head
 *   "cls.predictions.*" (dense, GELU, LayerNorm, decoder tied to the word embeddings + bias); CE.
 * - MRM: 15% of regions (at least one) get a fixed "[MASK] region" feature vector; head "feat_regress.*" (dense, GELU,
 *   LayerNorm, then UNITER's tied projection through img_linear's weight + bias) regresses the
 *   original features; MSE over the masked regions.
 * Tokens and regions are corrupted on every pair, so masking does not reveal whether a pair is
 * matched; MLM and MRM losses are taken on matched pairs only, since a caption cannot be
 * reconstructed from the wrong image (UNITER conditions them on true pairs).
 */
import * as tf from '@tensorflow/tfjs';
import type { EncodeOptions, Encoder, ParamMap } from '../model/types';
import type { TaskDefaults, TaskDefinition } from './types';
import { Rng } from '../rng';
import { gelu, layerNorm, linear, param } from '../model/layers';
import { buildFromRows, chunks, regionStates } from './batch';
import { addLayerNorm, addLinear, constVariable, oneHot, softmaxCrossEntropy } from './nn';
import { encodeOptions, EVAL_BATCH, EVAL_OPTIONS } from './common';
import { corruptPretrainBatch, groundedTokenIds, PRETRAIN_ITM, type CorruptedBatch } from './pretrain-corrupt';
import { itmAccuracy, mlmAccuracy } from './metrics';

export const PRETRAIN_WEIGHTS: { mlm: number; itm: number; mrm: number } = { mlm: 1, itm: 1, mrm: 1 };
/** Evaluation corrupts with this fixed seed, so a split always gets the same score. */
export const PRETRAIN_EVAL_SEED = 0x5eed;

export const PRETRAIN_DEFAULTS: TaskDefaults = { steps: 500, lr: 3e-4, batchSize: 32 };

export interface PretrainOutputs {
  loss: tf.Scalar;
  itmLogits: tf.Tensor2D;
  mlmLogits: tf.Tensor2D | null;
  mrmSquaredError: tf.Scalar;
}

/** Rows [K, rows·cols] selecting (row, col) cells of a [rows, cols, H] tensor via one matmul (no gather). */
function selector(cells: ReadonlyArray<readonly [number, number]>, rows: number, cols: number): tf.Tensor2D {
  const data = new Float32Array(cells.length * rows * cols);
  cells.forEach(([r, c], k) => {
    data[k * rows * cols + r * cols + c] = 1;
  });
  return tf.tensor2d(data, [cells.length, rows * cols]);
}

function select(states: tf.Tensor3D, cells: ReadonlyArray<readonly [number, number]>): tf.Tensor2D {
  const [B, L, H] = states.shape;
  return tf.matMul(selector(cells, B, L), tf.reshape(states, [B * L, H]));
}

export function pretrainForward(
  encoder: Encoder,
  head: ParamMap,
  c: CorruptedBatch,
  opts: EncodeOptions,
): PretrainOutputs {
  const config = encoder.config;
  const built = buildFromRows(c.rows, c.scenes, config);
  const out = encoder.encode(built.input, opts);

  // ITM on its rows only (all rows unless the batch names them); selected by a matmul, no gather.
  const pooled = c.itmRows
    ? tf.matMul(
        selector(
          c.itmRows.map((r) => [r, 0] as const),
          c.rows.length,
          1,
        ),
        out.pooled,
      )
    : out.pooled;
  const itmLogits = linear(head, 'itm_output', pooled) as tf.Tensor2D;
  const itm = c.itmLabels.length > 0 ? softmaxCrossEntropy(itmLogits, oneHot(c.itmLabels, 2)) : tf.scalar(0);

  let mlm: tf.Scalar = tf.scalar(0);
  let mlmLogits: tf.Tensor2D | null = null;
  if (c.mlm.length > 0) {
    const text = tf.slice(out.sequence, [0, 0, 0], [c.rows.length, built.textLength, config.hidden]);
    const picked = select(
      text,
      c.mlm.map((m) => [m.row, m.pos] as const),
    );
    const t = layerNorm(
      head,
      'cls.predictions.transform.LayerNorm',
      gelu(linear(head, 'cls.predictions.transform.dense', picked)),
    );
    const words = param(encoder.params, 'uniter.embeddings.word_embeddings.weight');
    mlmLogits = tf.add(
      tf.matMul(t as tf.Tensor2D, words, false, true),
      param(head, 'cls.predictions.bias'),
    ) as tf.Tensor2D;
    mlm = softmaxCrossEntropy(
      mlmLogits,
      oneHot(
        c.mlm.map((m) => m.label),
        config.vocabSize,
      ),
    );
  }

  let mrmSquaredError: tf.Scalar = tf.scalar(0);
  let mrm: tf.Scalar = tf.scalar(0);
  if (c.mrm.length > 0) {
    const picked = select(
      regionStates(out.sequence, built),
      c.mrm.map((m) => [m.row, m.region] as const),
    );
    const h = layerNorm(head, 'feat_regress.net.2', gelu(linear(head, 'feat_regress.net.0', picked)));
    // img_linear.weight is [H, F] (PyTorch [out, in]); UNITER regresses with hidden · weight.
    const imgLinear = param(encoder.params, 'uniter.img_embeddings.img_linear.weight');
    const pred = tf.add(tf.matMul(h as tf.Tensor2D, imgLinear), param(head, 'feat_regress.bias'));
    const target = tf.tensor2d(c.mrmTargets, [c.mrm.length, config.regionFeatureDim]);
    mrmSquaredError = tf.sum(tf.square(tf.sub(pred, target)));
    mrm = tf.div(mrmSquaredError, c.mrmTargets.length) as tf.Scalar;
  }

  const loss = tf.addN([
    tf.mul(mlm, PRETRAIN_WEIGHTS.mlm),
    tf.mul(itm, PRETRAIN_WEIGHTS.itm),
    tf.mul(mrm, PRETRAIN_WEIGHTS.mrm),
  ]) as tf.Scalar;
  return { loss, itmLogits, mlmLogits, mrmSquaredError };
}

function groundedAccuracy(pred: readonly number[], labels: readonly number[]): number {
  const g = groundedTokenIds();
  const idx = labels.map((_, i) => i).filter((i) => g.has(labels[i]));
  return mlmAccuracy(
    idx.map((i) => pred[i]),
    idx.map((i) => labels[i]),
  );
}

export const pretrainTask: TaskDefinition<'PRETRAIN'> = {
  kind: 'PRETRAIN',
  // pretrain_loss is the primary metric and, unlike every other task's, lower is better.
  // mlm_grounded_accuracy: MLM accuracy on the grounded words only (sizes, colours, materials,
  // shapes, numbers), which the text alone cannot predict — the share that measures grounding.
  // With PRETRAIN_ITM.evalFoils (an analysis switch, off by default so the keys are exactly these),
  // evaluate adds itm_foil_accuracy: ITM with every negative the example's foil.
  metrics: ['pretrain_loss', 'mlm_accuracy', 'itm_accuracy', 'mrm_mse', 'mlm_grounded_accuracy'],
  defaults: PRETRAIN_DEFAULTS,
  initHead(config, rng) {
    const head: ParamMap = new Map();
    const H = config.hidden;
    addLinear(head, 'cls.predictions.transform.dense', H, H, rng);
    addLayerNorm(head, 'cls.predictions.transform.LayerNorm', H);
    head.set('cls.predictions.bias', constVariable([config.vocabSize], 0));
    addLinear(head, 'itm_output', H, 2, rng);
    addLinear(head, 'feat_regress.net.0', H, H, rng);
    addLayerNorm(head, 'feat_regress.net.2', H);
    head.set('feat_regress.bias', constVariable([config.regionFeatureDim], 0));
    return head;
  },
  loss(encoder, head, batch, opts) {
    const c = corruptPretrainBatch(batch, encoder.config, opts.rng);
    return tf.tidy(() => {
      const o = pretrainForward(encoder, head, c, encodeOptions(opts));
      return { loss: o.loss, logits: o.itmLogits };
    });
  },
  evaluate(encoder, head, examples) {
    // itm_accuracy keeps random swaps only, so it stays comparable whatever the training mix.
    const rng = new Rng(PRETRAIN_EVAL_SEED);
    let lossSum = 0;
    let squaredError = 0;
    let regressed = 0;
    const mlmPred: number[] = [];
    const mlmLabels: number[] = [];
    const itmLogits: number[] = [];
    const itmLabels: number[] = [];
    for (const [s, e] of chunks(examples.length, EVAL_BATCH)) {
      const c = corruptPretrainBatch(examples.slice(s, e), encoder.config, rng, 0);
      const r = tf.tidy(() => {
        const o = pretrainForward(encoder, head, c, EVAL_OPTIONS);
        return {
          scalars: tf.stack([o.loss, o.mrmSquaredError]).dataSync(),
          itm: o.itmLogits.dataSync(),
          mlm: o.mlmLogits ? tf.argMax(o.mlmLogits, 1).dataSync() : new Int32Array(0),
        };
      });
      lossSum += r.scalars[0] * (e - s);
      squaredError += r.scalars[1];
      regressed += c.mrmTargets.length;
      mlmPred.push(...r.mlm);
      mlmLabels.push(...c.mlm.map((m) => m.label));
      itmLogits.push(...r.itm);
      itmLabels.push(...c.itmLabels);
    }
    const foiled = examples.filter((x) => x.foil);
    let foilAcc: Record<string, number> = {};
    if (PRETRAIN_ITM.evalFoils && foiled.length > 0) {
      const frng = new Rng(PRETRAIN_EVAL_SEED + 1);
      const logits: number[] = [];
      const labels: number[] = [];
      for (const [s, e] of chunks(foiled.length, EVAL_BATCH)) {
        const c = corruptPretrainBatch(foiled.slice(s, e), encoder.config, frng, 1);
        logits.push(...tf.tidy(() => pretrainForward(encoder, head, c, EVAL_OPTIONS).itmLogits.dataSync()));
        labels.push(...c.itmLabels);
      }
      foilAcc = { itm_foil_accuracy: itmAccuracy(logits, labels) };
    }
    return {
      ...foilAcc,
      pretrain_loss: examples.length ? lossSum / examples.length : 0,
      mlm_accuracy: mlmAccuracy(mlmPred, mlmLabels),
      itm_accuracy: itmAccuracy(itmLogits, itmLabels),
      mrm_mse: regressed ? squaredError / regressed : 0,
      mlm_grounded_accuracy: groundedAccuracy(mlmPred, mlmLabels),
    };
  },
};
