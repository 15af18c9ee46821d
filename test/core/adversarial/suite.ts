/** Adversarial-training tests, shared by the cpu and wasm files (the tfjs backend is per process). */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/core/rng';
import { encoderFromWeights } from '../../../src/core/model/uniter';
import { fineTune } from '../../../src/core/training';
import {
  adversarialLoss,
  adversarialTask,
  pgdUpdate,
  resolveAdversarial,
  symmetricKl,
  type Perturbation,
} from '../../../src/core/training/adversarial';
import { evaluateTicket, prunableTensors, randomMask } from '../../../src/core/lottery';
import { TINY, tinyData, tinyTask, tinyTheta0 } from '../lottery/tiny';

const norm = (a: Float32Array, from: number, to: number): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i] * a[i];
  return Math.sqrt(s);
};

/** `steps`: training steps of the masked run (the cpu backend is several times slower than wasm). */
export function adversarialSuite(steps: number): void {
  const data = tinyData([128, 0, 64], 21);
  const theta0 = tinyTheta0(5);

  test('symmetric KL: 0 for equal logits, the closed form otherwise (softmax and bernoulli)', () => {
    const a = [
      [1, 2, 0.5],
      [0, 0, 0],
    ];
    const b = [
      [0.2, 2.5, 0],
      [1, -1, 0],
    ];
    const sm = (r: number[]): number[] => {
      const m = Math.max(...r);
      const e = r.map((x) => Math.exp(x - m));
      const z = e.reduce((s, x) => s + x, 0);
      return e.map((x) => x / z);
    };
    let want = 0;
    a.forEach((r, i) => {
      const p = sm(r);
      const q = sm(b[i]);
      p.forEach((pj, j) => {
        want += (pj - q[j]) * (Math.log(pj) - Math.log(q[j]));
      });
    });
    want /= 2;
    expect(symmetricKl(tf.tensor2d(a), tf.tensor2d(b), 'softmax').dataSync()[0]).toBeCloseTo(want, 5);
    expect(symmetricKl(tf.tensor2d(a), tf.tensor2d(a), 'softmax').dataSync()[0]).toBeCloseTo(0, 7);
    const s = [0.3, -2],
      t = [1.1, -1.5];
    const sig = (x: number): number => 1 / (1 + Math.exp(-x));
    let wb = 0;
    s.forEach((x, i) => {
      const p = sig(x);
      const q = sig(t[i]);
      wb += (p - q) * (Math.log(p) - Math.log(q)) + (q - p) * (Math.log(1 - q) - Math.log(1 - p)) * -1;
    });
    wb /= 2;
    expect(symmetricKl(tf.tensor1d(s), tf.tensor1d(t), 'bernoulli').dataSync()[0]).toBeCloseTo(wb, 5);
  });

  test('a PGD step moves along g/‖g‖ by η per example and projects onto the ε ball', () => {
    const d = new Float32Array(6);
    const g = new Float32Array([3, 4, 0, 0, 0, 2]);
    pgdUpdate(d, g, 2, 0.5, 1);
    expect(Array.from(d).map((x) => +x.toFixed(6))).toEqual([0.3, 0.4, 0, 0, 0, 0.5]);
    pgdUpdate(d, g, 2, 0.5, 1);
    pgdUpdate(d, g, 2, 0.5, 1);
    expect(norm(d, 0, 3)).toBeCloseTo(1, 6);
    expect(norm(d, 3, 6)).toBeCloseTo(1, 6);
  });

  test('the PGD perturbation raises the loss on a fixed batch and stays within the ε ball', () => {
    const enc = encoderFromWeights(TINY, theta0);
    const trained = fineTune({ encoder: enc, task: tinyTask, data: { ...data, val: [] }, steps: 15, seed: 1 });
    const head = new Map(
      [...trained.headWeights].map(([n, w]) => [n, tf.variable(tf.tensor(w, trained.headShapes.get(n)!))]),
    );
    const batch = data.test.slice(0, 32);
    const o = resolveAdversarial('GQA', {
      steps: 3,
      epsilon: { word: 0.05, region: 0.5 },
      stepSize: { word: 0.03, region: 0.3 },
    });
    let r!: { clean: number; adv: number; kl: number; perturbations: Perturbation[] };
    tf.tidy(() => {
      const a = adversarialLoss(tinyTask, enc, head, batch, { training: false, rng: new Rng(4) }, o);
      r = {
        clean: a.cleanLoss.dataSync()[0],
        adv: a.advLoss.dataSync()[0],
        kl: a.kl.dataSync()[0],
        perturbations: a.perturbations,
      };
    });
    expect(r.adv).toBeGreaterThan(r.clean);
    expect(r.kl).toBeGreaterThan(0);
    expect(r.perturbations.map((p) => p.where)).toEqual(['word', 'region']);
    for (const p of r.perturbations) {
      const [B] = p.shape;
      const per = p.delta!.length / B;
      const eps = o.epsilon[p.where];
      for (let b = 0; b < B; b++) {
        const n = norm(p.delta!, b * per, (b + 1) * per);
        expect(n).toBeLessThanOrEqual(eps * (1 + 1e-6));
        expect(n).toBeGreaterThan(0.5 * eps); // K·η > ε: the attack goes to (near) the boundary
      }
    }
    // the attack only changes the inputs: a bigger ε can only help it on this batch
    const zero = tf.tidy(
      () =>
        adversarialLoss(
          tinyTask,
          enc,
          head,
          batch,
          { training: false, rng: new Rng(4) },
          { ...o, epsilon: { word: 0, region: 0 } },
        ).advLoss.dataSync()[0],
    );
    expect(zero).toBeCloseTo(r.clean, 5);
    head.forEach((v) => v.dispose());
    enc.dispose();
  });

  test('adversarial training under a mask: pruned weights exactly 0 after many steps, no tensor leak', () => {
    const mask = randomMask(TINY, 0.6, 3);
    const before = tf.memory().numTensors;
    const adv = evaluateTicket({
      theta0,
      config: TINY,
      mask,
      task: tinyTask,
      data,
      trainingMode: 'ADVERSARIAL',
      steps,
      seed: 2,
      keepTrainedWeights: true,
    });
    expect(tf.memory().numTensors).toBe(before);
    const std = evaluateTicket({
      theta0,
      config: TINY,
      mask,
      task: tinyTask,
      data,
      trainingMode: 'STANDARD',
      steps,
      seed: 2,
      keepTrainedWeights: true,
    });
    const w = prunableTensors(adv.trainedWeights!, TINY);
    let zeros = 0;
    mask.segments.forEach((s, i) => {
      const bits = mask.unpackSegment(i);
      for (let j = 0; j < s.length; j++)
        if (!bits[j]) {
          expect(w[i][j]).toBe(0);
          zeros++;
        }
    });
    expect(zeros).toBe(mask.pruned);
    // survivors did train, and differently from standard training
    const w0 = prunableTensors(theta0, TINY);
    expect(w[0].some((v, j) => v !== 0 && v !== w0[0][j])).toBe(true);
    expect(adv.lossHistory).not.toEqual(std.lossHistory);
    expect(adv.trainingMode).toBe('ADVERSARIAL');
  });

  test('the adversarial task wrapper keeps evaluation and kind; its loss is clean + α·adv + β·KL', () => {
    const t = adversarialTask(tinyTask, { alpha: 0, beta: 0 });
    expect(t.kind).toBe('GQA');
    expect(t.evaluate).toBe(tinyTask.evaluate);
    const enc = encoderFromWeights(TINY, theta0);
    const head = tinyTask.initHead(TINY, new Rng(1));
    const batch = data.train.slice(0, 8);
    const [a, b] = tf.tidy(() => [
      t.loss(enc, head, batch, { training: true, dropoutSeed: 3, rng: new Rng(2) }).loss.dataSync()[0],
      tinyTask.loss(enc, head, batch, { training: true, dropoutSeed: 3, rng: new Rng(2) }).loss.dataSync()[0],
    ]);
    expect(a).toBeCloseTo(b, 6);
    head.forEach((v) => v.dispose());
    enc.dispose();
  });
}
