/** Progress, abort and pre-training tickets (IMP on the PRETRAIN objective with its heads). */
import { initBackend } from '../../../src/core/backend';
import { builtinConfig } from '../../../src/core/model/builtin';
import { createEncoder, snapshotWeights } from '../../../src/core/model/uniter';
import { VOCAB_SIZE } from '../../../src/core/data';
import { getTask } from '../../../src/core/tasks/registry';
import { TrainingAborted } from '../../../src/core/training';
import { Rng } from '../../../src/core/rng';
import { runImp, runImpLevel, taskData, relativeScore, type ImpProgress } from '../../../src/core/lottery';
import { TINY, tinyData, tinyTask, tinyTheta0 } from './tiny';

beforeAll(async () => {
  await initBackend('wasm');
});

test('progress covers every step of every level with a rising overall fraction; abort stops mid-level', () => {
  const data = tinyData([48, 0, 16], 3);
  const theta0 = tinyTheta0(2);
  const seen: ImpProgress[] = [];
  runImp({
    theta0,
    config: TINY,
    task: tinyTask,
    data,
    schedule: [0.3, 0.6],
    steps: 4,
    seed: 1,
    onProgress: (p) => seen.push(p),
  });
  expect(seen.map((p) => `${p.level}:${p.step}`)).toEqual([
    '0:1',
    '0:2',
    '0:3',
    '0:4',
    '1:1',
    '1:2',
    '1:3',
    '1:4',
    '2:1',
    '2:2',
    '2:3',
    '2:4',
  ]);
  expect(seen.every((p, i) => i === 0 || p.overall > seen[i - 1].overall)).toBe(true);
  expect(seen[seen.length - 1].overall).toBe(1);
  expect(seen[0].levels).toBe(3);

  const ctl = new AbortController();
  const finished: number[] = [];
  expect(() =>
    runImp({
      theta0,
      config: TINY,
      task: tinyTask,
      data,
      schedule: [0.3, 0.6],
      steps: 4,
      seed: 1,
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.level === 1 && p.step === 2) ctl.abort();
      },
      onLevel: (r) => finished.push(r.level),
    }),
  ).toThrow(TrainingAborted);
  expect(finished).toEqual([0]); // the finished level was reported, the aborted one was not
});

test('pre-training tickets: IMP on PRETRAIN continues from θ0 and its heads; the score is a loss', () => {
  const config = { ...builtinConfig(VOCAB_SIZE), layers: 1, hidden: 16, heads: 2, intermediate: 32 };
  const task = getTask('PRETRAIN');
  const data = taskData('PRETRAIN', config, { seed: 2, sizes: { train: 64, val: 0, test: 32 } });
  const enc = createEncoder(config, new Rng(4));
  const theta0 = snapshotWeights(enc.params);
  const head = task.initHead(config, new Rng(5));
  const headWeights = snapshotWeights(head);
  head.forEach((v) => v.dispose());
  enc.dispose();
  const r0 = runImpLevel({
    theta0,
    config,
    task,
    data,
    schedule: [0.5],
    steps: 3,
    batchSize: 8,
    seed: 1,
    level: 0,
    mask: null,
    headWeights,
  });
  expect(r0.evaluation.primaryMetric).toBe('pretrain_loss');
  expect(r0.evaluation.lowerIsBetter).toBe(true);
  expect(Object.keys(r0.evaluation.metrics)).toEqual([
    'pretrain_loss',
    'mlm_accuracy',
    'itm_accuracy',
    'mrm_mse',
    'mlm_grounded_accuracy',
  ]);
  expect(r0.nextMask!.pruned).toBe(Math.round(0.5 * r0.nextMask!.total));
  // the heads given are the ones continued (a fresh head from the seed starts elsewhere)
  const fresh = runImpLevel({
    theta0,
    config,
    task,
    data,
    schedule: [0.5],
    steps: 3,
    batchSize: 8,
    seed: 1,
    level: 0,
    mask: null,
  });
  expect(fresh.evaluation.lossHistory[0]).not.toBe(r0.evaluation.lossHistory[0]);
  const r1 = runImpLevel({
    theta0,
    config,
    task,
    data,
    schedule: [0.5],
    steps: 3,
    batchSize: 8,
    seed: 1,
    level: 1,
    mask: r0.nextMask,
    headWeights,
  });
  expect(r1.nextMask).toBeNull();
  const rel = relativeScore(r1.evaluation.score, r0.evaluation.score, 'PRETRAIN');
  expect(rel).toBeCloseTo(r0.evaluation.score / r1.evaluation.score, 12);
});
