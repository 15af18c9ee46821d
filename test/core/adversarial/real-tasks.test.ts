/** The adversarial objective on every built-in task's real loss and logits (tiny model, one step each). */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { builtinConfig } from '../../../src/core/model/builtin';
import { createEncoder } from '../../../src/core/model/uniter';
import { TASK_KINDS, VOCAB_SIZE, type TaskKind } from '../../../src/core/data';
import { getTask } from '../../../src/core/tasks/registry';
import { adversarialLoss, resolveAdversarial } from '../../../src/core/training/adversarial';
import { taskData } from '../../../src/core/lottery';
import { Rng } from '../../../src/core/rng';

beforeAll(async () => {
  expect((await initBackend('wasm')).backend).toBe('wasm');
});

const config = { ...builtinConfig(VOCAB_SIZE), layers: 1, hidden: 16, heads: 2, intermediate: 32 };

describe.each(TASK_KINDS as TaskKind[])('adversarial loss on %s', (kind) => {
  test('finite, gradients reach the encoder, the attack raises the task loss', () => {
    const task = getTask(kind);
    const data = taskData(kind, config, { seed: 3, sizes: { train: 6, val: 0, test: 0 } });
    const enc = createEncoder(config, new Rng(1));
    const head = task.initHead(config, new Rng(2));
    const o = resolveAdversarial(kind, {});
    const vars = [...enc.params.values(), ...head.values()];
    const batch = data.train.slice(0, 4) as never[];
    let clean = 0;
    let adv = 0;
    let slots: string[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const r = adversarialLoss(task, enc, head, batch, { training: true, dropoutSeed: 5, rng: new Rng(6) }, o);
      clean = r.cleanLoss.dataSync()[0];
      adv = r.advLoss.dataSync()[0];
      slots = r.perturbations.map((p) => p.where);
      return r.loss;
    }, vars);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(adv).toBeGreaterThanOrEqual(clean);
    expect(slots.length % 2).toBe(0);
    expect(slots.slice(0, 2)).toEqual(['word', 'region']);
    const g = grads['uniter.encoder.layer.0.attention.self.query.weight'] ?? Object.values(grads)[0];
    expect(Object.keys(grads).length).toBeGreaterThan(10);
    expect(Math.abs(tf.sum(tf.abs(g)).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    head.forEach((v) => v.dispose());
    enc.dispose();
  });
});
