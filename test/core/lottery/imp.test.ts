import { initBackend } from '../../../src/core/backend';
import type { Encoder } from '../../../src/core/model/types';
import type { TaskDefinition } from '../../../src/core/tasks/types';
import { Mask, targetCount } from '../../../src/core/pruning';
import {
  prunableLayout,
  prunableTensors,
  prunableFromParams,
  runImp,
  runImpLevel,
  TicketInvariantError,
  type ImpLevelResult,
} from '../../../src/core/lottery';
import { bitsEqual, TINY, tinyData, tinyTask, tinyTheta0 } from './tiny';

beforeAll(async () => {
  await initBackend('wasm');
});

const data = tinyData([96, 0, 48], 7);
const theta0 = tinyTheta0(3);
const schedule = [0.2, 0.4, 0.6];
const N = prunableLayout(TINY).reduce((n, s) => n + s.shape[0] * s.shape[1], 0);

/** The task, recording the prunable weights the encoder holds when each level's first step begins. */
function spying(): { task: TaskDefinition<'GQA'>; starts: Float32Array[][] } {
  const starts: Float32Array[][] = [];
  let last: Encoder | null = null;
  const task: TaskDefinition<'GQA'> = {
    ...tinyTask,
    loss(encoder, head, batch, opts) {
      if (encoder !== last) {
        last = encoder;
        starts.push(prunableFromParams(encoder.params, TINY));
      }
      return tinyTask.loss(encoder, head, batch, opts);
    },
  };
  return { task, starts };
}

function checkStart(start: Float32Array[], reference: Float32Array[], mask: Mask): void {
  mask.segments.forEach((s, i) => {
    const bits = mask.unpackSegment(i);
    const kept = start[i].filter((_, j) => bits[j] === 1);
    const ref = reference[i].filter((_, j) => bits[j] === 1);
    expect(bitsEqual(kept, ref)).toBe(true);
    expect(start[i].every((v, j) => bits[j] === 1 || v === 0)).toBe(true);
  });
}

describe('IMP with rewinding', () => {
  let levels: ImpLevelResult[];
  const spy = spying();

  beforeAll(() => {
    levels = runImp({
      theta0,
      config: TINY,
      task: spy.task,
      data,
      schedule,
      steps: 8,
      seed: 5,
      keepTrainedWeights: true,
    });
  });

  test('one result per level, exact counts of the ORIGINAL N, nested masks', () => {
    expect(levels.map((l) => l.level)).toEqual([0, 1, 2, 3]);
    expect(levels[0].mask.pruned).toBe(0);
    for (let k = 1; k <= 3; k++) {
      const m = levels[k].mask;
      expect(m.total).toBe(N);
      expect(m.pruned).toBe(Math.round(schedule[k - 1] * N));
      expect(m.isSubsetOf(levels[k - 1].mask)).toBe(true);
      expect(levels[k - 1].nextMask!.equals(m)).toBe(true);
      expect(levels[k - 1].counts.newlyPruned).toBe(m.pruned - levels[k - 1].mask.pruned);
    }
    expect(levels[3].nextMask).toBeNull();
  });

  test('every level starts from θ0 exactly: survivors bitwise, pruned exactly 0', () => {
    expect(spy.starts).toHaveLength(4);
    const ref = prunableTensors(theta0, TINY);
    levels.forEach((l, k) => checkStart(spy.starts[k], ref, l.mask));
  });

  test('the next mask prunes the smallest |w| of the TRAINED survivors; pruned weights stay 0', () => {
    for (const r of levels.slice(0, 3)) {
      const w = prunableTensors(r.trainedWeights!, TINY);
      let maxNew = 0;
      let minKept = Infinity;
      r.mask.segments.forEach((s, i) => {
        const a = r.mask.unpackSegment(i);
        const b = r.nextMask!.unpackSegment(i);
        for (let j = 0; j < s.length; j++) {
          if (a[j] && !b[j]) maxNew = Math.max(maxNew, Math.abs(w[i][j]));
          if (b[j]) minKept = Math.min(minKept, Math.abs(w[i][j]));
          if (!a[j]) expect(w[i][j]).toBe(0);
        }
      });
      expect(maxNew).toBeLessThanOrEqual(minKept);
    }
  });

  test('resuming at level k from stored level k−1 outputs gives the uninterrupted masks and scores', () => {
    const stored = Mask.fromPacked(prunableLayout(TINY), levels[1].nextMask!.toBytes());
    const resumed = runImp({
      theta0,
      config: TINY,
      task: tinyTask,
      data,
      schedule,
      steps: 8,
      seed: 5,
      resume: { level: 2, mask: stored },
    });
    expect(resumed.map((l) => l.level)).toEqual([2, 3]);
    expect(resumed[0].nextMask!.sha256()).toBe(levels[2].nextMask!.sha256());
    expect(resumed.map((l) => l.evaluation.score)).toEqual([levels[2].evaluation.score, levels[3].evaluation.score]);
  });

  test('same seed → identical masks; another seed → different masks', () => {
    const level0 = (seed: number) =>
      runImpLevel({ theta0, config: TINY, task: tinyTask, data, schedule, steps: 8, seed, level: 0, mask: null })
        .nextMask!;
    expect(level0(5).sha256()).toBe(levels[0].nextMask!.sha256());
    expect(level0(6).sha256()).not.toBe(levels[0].nextMask!.sha256());
  });

  test('a stored mask with the wrong count for its level is refused', () => {
    expect(() =>
      runImpLevel({
        theta0,
        config: TINY,
        task: tinyTask,
        data,
        schedule,
        steps: 2,
        seed: 5,
        level: 2,
        mask: levels[1].mask,
      }),
    ).toThrow(TicketInvariantError);
    expect(() =>
      runImpLevel({
        theta0,
        config: TINY,
        task: tinyTask,
        data,
        schedule,
        steps: 2,
        seed: 5,
        level: 0,
        mask: levels[1].mask,
      }),
    ).toThrow(TicketInvariantError);
  });
});

describe('IMP rewinding to θ_r', () => {
  test('levels ≥ 1 start from the level-0 weights after rewindStep steps (survivors bitwise)', () => {
    const spy = spying();
    const r = runImp({ theta0, config: TINY, task: spy.task, data, schedule: [0.5], steps: 6, rewindStep: 3, seed: 2 });
    const thetaR = r[0].rewindWeights!;
    expect(thetaR).toBeDefined();
    const ref = prunableTensors(thetaR, TINY);
    expect(ref.some((w, i) => !bitsEqual(w, prunableTensors(theta0, TINY)[i]))).toBe(true);
    checkStart(spy.starts[1], ref, r[1].mask);
    // θ_r also replaces the non-prunable tensors
    const word = 'uniter.embeddings.word_embeddings.weight';
    expect(bitsEqual(thetaR.get(word)!, theta0.get(word)!)).toBe(false);
    expect(() =>
      runImpLevel({
        theta0,
        config: TINY,
        task: tinyTask,
        data,
        schedule: [0.5],
        steps: 6,
        rewindStep: 3,
        seed: 2,
        level: 1,
        mask: r[1].mask,
      }),
    ).toThrow(/rewindWeights/);
  });

  test('the default schedule is 0.1 … 0.9 of the original count', () => {
    const r = runImpLevel({ theta0, config: TINY, task: tinyTask, data, steps: 2, seed: 1, level: 0, mask: null });
    expect(r.nextSparsity).toBe(0.1);
    expect(r.nextMask!.pruned).toBe(targetCount(0.1, N));
  });
});
