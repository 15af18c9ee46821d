/**
 * Learning-rate rewinding and fine-tuning as IMP's retraining rule (Renda et al., ICLR 2020): a
 * level starts from the previous level's trained weights under its new mask — pruned weights
 * exactly 0 before and after training — with the full schedule replayed (REWIND_LR) or a small
 * constant rate (FINE_TUNE); REWIND_WEIGHTS is the paper's rewinding to θ0.
 */
import { initBackend } from '../../../src/core/backend';
import { FINE_TUNE_LR_FACTOR, prunableTensors, runImp, type ImpProgress } from '../../../src/core/lottery';
import { TINY, tinyData, tinyTask, tinyTheta0 } from './tiny';

let theta0: Map<string, Float32Array>;
const data = tinyData([48, 0, 16], 4);

beforeAll(async () => {
  await initBackend('wasm');
  theta0 = tinyTheta0(5);
});

const run = (retrain: 'REWIND_WEIGHTS' | 'REWIND_LR' | 'FINE_TUNE', seen: ImpProgress[] = []) =>
  runImp({
    theta0,
    config: TINY,
    task: tinyTask,
    data,
    schedule: [0.4, 0.7],
    steps: 10,
    lr: 1e-3,
    seed: 3,
    retrain,
    keepTrainedWeights: true,
    onProgress: (p) => seen.push(p),
  });

test('REWIND_LR retrains the previous trained weights under the new mask; pruned weights stay exactly 0', () => {
  const lrSeen: ImpProgress[] = [];
  const levels = run('REWIND_LR', lrSeen);
  expect(levels.map((l) => l.level)).toEqual([0, 1, 2]);
  for (const l of levels.slice(1)) {
    const w = prunableTensors(l.trainedWeights!, TINY);
    const bits = l.mask.unpack();
    let i = 0;
    let zeros = 0;
    for (const t of w)
      for (let j = 0; j < t.length; j++, i++) {
        if (bits[i]) continue;
        expect(t[j]).toBe(0);
        zeros++;
      }
    expect(zeros).toBe(l.mask.pruned);
  }
  // the schedule is replayed: level 1's rates are level 0's, step for step
  const rates = (level: number) => lrSeen.filter((p) => p.level === level).map((p) => p.lr);
  expect(rates(1)).toEqual(rates(0));
  // and it differs from rewinding the weights: same masks at level 1, different training start
  const rw = run('REWIND_WEIGHTS');
  expect(rw[1].mask.equals(levels[1].mask)).toBe(true);
  expect(rw[1].evaluation.lossHistory).not.toEqual(levels[1].evaluation.lossHistory);
});

test('FINE_TUNE trains at a constant small rate from the trained weights', () => {
  const seen: ImpProgress[] = [];
  const levels = run('FINE_TUNE', seen);
  const rates = seen.filter((p) => p.level >= 1).map((p) => p.lr);
  expect(new Set(rates)).toEqual(new Set([1e-3 * FINE_TUNE_LR_FACTOR]));
  expect(levels[2].mask.pruned).toBe(Math.round(0.7 * levels[2].mask.total));
});

test('rewinding to a step and a non-rewinding rule do not mix', () => {
  expect(() =>
    runImp({
      theta0,
      config: TINY,
      task: tinyTask,
      data,
      schedule: [0.4],
      steps: 4,
      seed: 1,
      retrain: 'REWIND_LR',
      rewindStep: 2,
    }),
  ).toThrow(/rewindStep applies to REWIND_WEIGHTS only/);
});
