/** The task heads and losses must train on wasm, which lacks the gather gradient kernel. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { createEncoder } from '../../../src/core/model/uniter';
import { TASK_KINDS, type TaskKind } from '../../../src/core/data/types';
import { createTaskRegistry } from '../../../src/core/tasks/registry';
import { Rng } from '../../../src/core/rng';
import { makeExamples, NUM_ANSWERS, TINY } from './fixtures';
import { disposeParams, gradientNorms, mean, trainAdam, withJointCorruption } from './helpers';

const registry = createTaskRegistry({ VQA: NUM_ANSWERS, GQA: NUM_ANSWERS });

beforeAll(async () => {
  await initBackend('wasm');
});

function headGradients<K extends TaskKind>(kind: K): void {
  const task = registry[kind];
  const encoder = createEncoder(TINY, new Rng(1));
  const head = task.initHead(TINY, new Rng(2));
  const norms = withJointCorruption(() => gradientNorms(task, encoder, head, makeExamples(kind, 4, 3), 5));
  expect(norms.get('uniter.embeddings.word_embeddings.weight')).toBeGreaterThan(0);
  for (const name of head.keys()) {
    // A softmax over regions ignores a shift shared by every region: re_output.bias gets no gradient.
    if (name === 're_output.bias') expect(norms.get(name)!).toBeLessThan(1e-5);
    else expect([name, norms.get(name)! > 0]).toEqual([name, true]);
  }
  disposeParams(head);
  encoder.dispose();
}

test('the active backend is wasm', () => {
  expect(tf.getBackend()).toBe('wasm');
});

test.each(TASK_KINDS.map((k) => [k]))('%s: gradients reach the encoder and the head on wasm', (kind: TaskKind) =>
  headGradients(kind),
);

test('GQA: a few dozen plain Adam steps lower the training loss on wasm', () => {
  const task = registry.GQA;
  const encoder = createEncoder({ ...TINY, dropout: 0 }, new Rng(1));
  const head = task.initHead(TINY, new Rng(2));
  const losses = trainAdam(task, encoder, head, makeExamples('GQA', 16, 9), 40, 3e-3, 1);
  expect(mean(losses.slice(-5))).toBeLessThan(0.7 * mean(losses.slice(0, 5)));
  disposeParams(head);
  encoder.dispose();
});
