import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { createEncoder } from '../../../src/core/model/uniter';
import { TASK_KINDS, type ExampleByKind, type TaskKind } from '../../../src/core/data/types';
import { vqaSoftTarget } from '../../../src/core/tasks/common';
import { rankHeadFromItm } from '../../../src/core/tasks/retrieval';
import { createTaskRegistry } from '../../../src/core/tasks/registry';
import { PRETRAIN_ITM } from '../../../src/core/tasks/pretrain-corrupt';
import { Rng } from '../../../src/core/rng';
import { makeExamples, NUM_ANSWERS, TINY } from './fixtures';
import { disposeParams, gradientNorms, mean, trainAdam, withJointCorruption } from './helpers';

const registry = createTaskRegistry({ VQA: NUM_ANSWERS, GQA: NUM_ANSWERS });
/** Metrics that are not fractions. */
const UNBOUNDED = new Set(['pretrain_loss', 'mrm_mse']);

beforeAll(async () => {
  await initBackend('cpu');
});

// Generic in K so that each task receives its own example type.
function lossAndGradients<K extends TaskKind>(kind: K): void {
  const task = registry[kind];
  const encoder = createEncoder(TINY, new Rng(1));
  const head = task.initHead(TINY, new Rng(2));
  const batch = makeExamples(kind, 6, 3);
  const before = tf.memory().numTensors;
  const { loss, logits } = task.loss(encoder, head, batch, { training: true, dropoutSeed: 5, rng: new Rng(5) });
  expect(loss.shape).toEqual([]);
  expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
  expect(logits.shape[0]).toBeGreaterThan(0);
  tf.dispose([loss, logits]);
  expect(tf.memory().numTensors).toBe(before);

  const norms = withJointCorruption(() => gradientNorms(task, encoder, head, batch, 5));
  for (const name of [
    'uniter.embeddings.word_embeddings.weight',
    'uniter.img_embeddings.img_linear.weight',
    'uniter.encoder.layer.0.attention.self.query.weight',
    'uniter.encoder.layer.0.output.dense.weight',
  ]) {
    expect([name, norms.get(name)! > 0]).toEqual([name, true]);
  }
  for (const name of head.keys()) {
    // A softmax over regions ignores a shift shared by every region: re_output.bias gets no gradient.
    if (name === 're_output.bias') expect(norms.get(name)!).toBeLessThan(1e-5);
    else expect([name, norms.get(name)! > 0]).toEqual([name, true]);
  }
  disposeParams(head);
  encoder.dispose();
}

function evaluation<K extends TaskKind>(kind: K): void {
  const task = registry[kind];
  const encoder = createEncoder(TINY, new Rng(1));
  const head = task.initHead(TINY, new Rng(2));
  const examples = makeExamples(kind, 13, 4);
  const before = tf.memory().numTensors;
  const m = task.evaluate(encoder, head, examples);
  expect(tf.memory().numTensors).toBe(before);
  expect(Object.keys(m).sort()).toEqual([...task.metrics].sort());
  for (const name of task.metrics) {
    expect(Number.isFinite(m[name])).toBe(true);
    expect(m[name]).toBeGreaterThanOrEqual(0);
    if (!UNBOUNDED.has(name)) expect(m[name]).toBeLessThanOrEqual(1);
  }
  // No gradient state: evaluating twice gives the same numbers.
  expect(task.evaluate(encoder, head, examples)).toEqual(m);
  disposeParams(head);
  encoder.dispose();
}

function determinism<K extends TaskKind>(kind: K): void {
  const task = registry[kind];
  const encoder = createEncoder({ ...TINY, dropout: 0.1 }, new Rng(1));
  const head = task.initHead(TINY, new Rng(2));
  const batch = makeExamples(kind, 6, 3);
  const lossAt = (seed: number): number =>
    tf.tidy(
      () =>
        task.loss(encoder, head, batch, { training: true, dropoutSeed: seed, rng: new Rng(seed) }).loss.dataSync()[0],
    );
  expect(lossAt(11)).toBe(lossAt(11));
  expect(lossAt(11)).not.toBe(lossAt(12));
  disposeParams(head);
  encoder.dispose();
}

function headInit<K extends TaskKind>(kind: K): void {
  const task = registry[kind];
  const before = tf.memory().numTensors;
  const head = task.initHead(TINY, new Rng(2));
  expect(tf.memory().numTensors).toBe(before + head.size);
  const again = task.initHead(TINY, new Rng(2));
  for (const [name, v] of head) expect([name, v.dataSync()]).toEqual([name, again.get(name)!.dataSync()]);
  disposeParams(head);
  disposeParams(again);
  expect(tf.memory().numTensors).toBe(before);
}

test('PRETRAIN with split corruption (the default): gradients reach every head parameter from a 32-pair batch', () => {
  // Each pair serves one objective; at 32 pairs every objective is drawn (0.8^32 < 0.001 for MRM).
  expect(PRETRAIN_ITM.scheme).toBe('split');
  const task = registry.PRETRAIN;
  const encoder = createEncoder(TINY, new Rng(1));
  const head = task.initHead(TINY, new Rng(2));
  const norms = gradientNorms(task, encoder, head, makeExamples('PRETRAIN', 32, 3), 5);
  for (const name of head.keys()) expect([name, norms.get(name)! > 0]).toEqual([name, true]);
  expect(norms.get('uniter.img_embeddings.img_linear.weight')!).toBeGreaterThan(0);
  disposeParams(head);
  encoder.dispose();
});

describe.each(TASK_KINDS.map((k) => [k]))('%s', (kind: TaskKind) => {
  test('initHead is seeded and allocates only its variables', () => headInit(kind));
  test('loss is a finite scalar and gradients reach the encoder and every head parameter', () =>
    lossAndGradients(kind));
  test('evaluate returns every metric, in range, with no tensor left behind', () => evaluation(kind));
  test('the loss is a function of the seed (rng for masks/negatives, dropout seed)', () => determinism(kind));
});

function vqaLossFloor(examples: ExampleByKind['VQA'][]): number {
  // The loss is the cross-entropy against the normalised soft scores: its floor is their entropy.
  const entropy = (t: Float32Array): number => {
    const sum = t.reduce((a, b) => a + b, 0);
    return Array.from(t).reduce((a, x) => (x > 0 ? a - (x / sum) * Math.log(x / sum) : a), 0);
  };
  return mean(examples.map((e) => entropy(vqaSoftTarget(e.annotatorAnswers, NUM_ANSWERS))));
}

function training<K extends TaskKind>(kind: K): void {
  const task = registry[kind];
  const encoder = createEncoder({ ...TINY, dropout: 0 }, new Rng(1));
  const head = task.initHead(TINY, new Rng(2));
  const examples = makeExamples(kind, 16, 9);
  const before = tf.memory().numTensors;
  const losses = trainAdam(task, encoder, head, examples, 40, 3e-3, 1);
  expect(tf.memory().numTensors).toBe(before);
  // VQA's cross-entropy on soft targets cannot reach 0: compare the excess over its floor.
  const floor = kind === 'VQA' ? vqaLossFloor(examples as ExampleByKind['VQA'][]) : 0;
  expect(mean(losses.slice(-5)) - floor).toBeLessThan(0.7 * (mean(losses.slice(0, 5)) - floor));
  disposeParams(head);
  encoder.dispose();
}

describe('a few dozen plain Adam steps lower the training loss (cpu)', () => {
  test.each([['VQA'], ['GQA'], ['REFCOCO']] as Array<[TaskKind]>)('%s', (kind) => training(kind));
});

test('RETRIEVAL: rankHeadFromItm copies the "matched" row of the ITM head (UNITER init_output)', () => {
  const H = TINY.hidden;
  const weight = Float32Array.from({ length: 2 * H }, (_, i) => i);
  const rank = rankHeadFromItm(
    new Map([
      ['itm_output.weight', weight],
      ['itm_output.bias', Float32Array.of(-1, 7)],
    ]),
    H,
  )!;
  expect(Array.from(rank.get('rank_output.weight')!)).toEqual(Array.from({ length: H }, (_, i) => H + i));
  expect(Array.from(rank.get('rank_output.bias')!)).toEqual([7]);
  expect(rankHeadFromItm(new Map(), H)).toBeNull();
  // The shapes match the task's own head, so it can replace a fresh one.
  const head = registry.RETRIEVAL.initHead(TINY, new Rng(1));
  for (const [name, v] of head) expect(rank.get(name)!.length).toBe(v.size);
  disposeParams(head);
});
