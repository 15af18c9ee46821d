/** The task layer on the real SyntheticVL generators (not hand-made examples). */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { createEncoder } from '../../../src/core/model/uniter';
import type { ModelConfig } from '../../../src/core/model/config';
import { dataSource, TASK_KINDS, VOCAB_SIZE, type TaskKind } from '../../../src/core/data';
import { getTask, taskRegistry } from '../../../src/core/tasks/registry';
import { Rng } from '../../../src/core/rng';
import { disposeParams } from './helpers';

const CONFIG: ModelConfig = {
  layers: 1,
  hidden: 16,
  heads: 2,
  intermediate: 32,
  vocabSize: VOCAB_SIZE,
  regionFeatureDim: 32,
  maxTextLength: 24,
  maxRegions: 8,
  dropout: 0.1,
};

beforeAll(async () => {
  await initBackend('cpu');
});

function onGeneratedData<K extends TaskKind>(kind: K): void {
  const task = getTask(kind);
  expect(task.kind).toBe(kind);
  const data = dataSource(kind).generate({
    seed: 3,
    sizes: { train: 6, val: 0, test: 12 },
    regionFeatureDim: CONFIG.regionFeatureDim,
    maxRegions: CONFIG.maxRegions,
    maxTextLength: CONFIG.maxTextLength,
  });
  const encoder = createEncoder(CONFIG, new Rng(1));
  const head = task.initHead(CONFIG, new Rng(2));
  const before = tf.memory().numTensors;
  const loss = tf.tidy(
    () => task.loss(encoder, head, data.train, { training: true, dropoutSeed: 1, rng: new Rng(1) }).loss.dataSync()[0],
  );
  expect(Number.isFinite(loss)).toBe(true);
  const m = task.evaluate(encoder, head, data.test);
  expect(tf.memory().numTensors).toBe(before);
  expect(Object.keys(m).sort()).toEqual([...task.metrics].sort());
  for (const name of task.metrics) expect(Number.isFinite(m[name])).toBe(true);
  disposeParams(head);
  encoder.dispose();
}

test('the registry has one task per kind, primary metric first', () => {
  expect(Object.keys(taskRegistry).sort()).toEqual([...TASK_KINDS].sort());
  expect(taskRegistry.VQA.metrics[0]).toBe('vqa_score');
  expect(taskRegistry.VCR.metrics[0]).toBe('qar_accuracy');
  expect(taskRegistry.RETRIEVAL.metrics[0]).toBe('ir_r1');
  expect(taskRegistry.PRETRAIN.metrics[0]).toBe('pretrain_loss');
  expect(() => getTask('NOPE' as TaskKind)).toThrow(/unknown task kind/);
});

test.each(TASK_KINDS.map((k) => [k]))('%s: loss and evaluation on generated examples', (kind: TaskKind) =>
  onGeneratedData(kind),
);
