/** The study's experiment description, plan and statistics (pure). */
import { resolveStudy, StudyInputError, type StudyParams } from '../../../src/core/experiments/study';
import { planStudy } from '../../../src/core/experiments/study-plan';
import { clearlyBetter, statOf, tQuantile975 } from '../../../src/core/experiments/study-stats';

const TASKS = ['t1', 't2', 't3', 't4', 't5', 't6', 't7'];

function paper(extra: Record<string, unknown> = {}): StudyParams {
  const { taskKinds: _k, taskIds: _t, ...r } = resolveStudy({ ...extra }, 10);
  void _k;
  void _t;
  return { ...r, modelId: 'm', taskIds: TASKS, pretrainTaskId: 'P' };
}

test('the PAPER preset plans 113 runs per seed on seven tasks, each dependency a planned step', () => {
  const p = paper({ seeds: [1] });
  const plan = planStudy(p, () => 300);
  const count = (role: string) => plan.filter((s) => s.role === role).length;
  expect(plan).toHaveLength(113);
  expect([
    count('imp'),
    count('baseline'),
    count('pretrain-imp'),
    count('pretrain-transfer'),
    count('adversarial'),
    count('task-transfer'),
  ]).toEqual([7, 21, 1, 28, 14, 42]);
  // No dense runs: every budget matches, so IMP's level 0 is the dense baseline.
  expect(count('dense')).toBe(0);
  const keys = new Set(plan.map((s) => s.key));
  expect(keys.size).toBe(plan.length);
  for (const s of plan) for (const d of s.dependsOn) expect(keys.has(d)).toBe(true);
  expect(planStudy(paper(), () => 300)).toHaveLength(339);
});

test('a transfer budget different from the IMP budget plans one dense run per task and seed', () => {
  const p = paper({ seeds: [1, 2], steps: 50 });
  const plan = planStudy(p, () => 300);
  expect(plan.filter((s) => s.role === 'dense')).toHaveLength(14);
  const t = plan.find((s) => s.key === 'pretrain-transfer/0.6/t3/2')!;
  expect(t.dependsOn).toEqual(['imp/P/2', 'dense/t3/2']);
  expect(t.request).toEqual({
    modelId: 'm',
    taskId: 't3',
    seeds: [2],
    steps: 50,
    ticketId: { $ticket: { step: 'imp/P/2', sparsity: 0.6 } },
  });
});

test('baselines wait for every seed of their task and run at its baseline sparsity', () => {
  const plan = planStudy(paper({ seeds: [1, 2] }), () => 300);
  const r = plan.find((s) => s.key === 'random/t1/2')!;
  expect(r.dependsOn).toEqual(['imp/t1/1', 'imp/t1/2']);
  expect(r.request).toMatchObject({ method: 'RANDOM', seed: 2, sparsities: [{ $baselineSparsity: 't1' }] });
});

test('cheap tickets in a study: an EARLY_BIRD baseline and a retraining rule for every IMP run', () => {
  const p = paper({ seeds: [1], baselines: ['RANDOM_PRUNING', 'EARLY_BIRD'], retraining: 'REWIND_LR' });
  const plan = planStudy(p, () => 300);
  const eb = plan.find((s) => s.key === 'early-bird/t4/1')!;
  expect(eb.request).toMatchObject({ method: 'EARLY_BIRD', seed: 1, sparsities: [{ $baselineSparsity: 't4' }] });
  expect(eb.dependsOn).toEqual(['imp/t4/1']);
  const imps = plan.filter((s) => s.role === 'imp' || s.role === 'pretrain-imp');
  expect(imps).toHaveLength(8);
  for (const s of imps) expect(s.request.retraining).toBe('REWIND_LR');
  // The default rule is not stored: a PAPER study's params (and identity) are what they were.
  expect('retraining' in paper({ retraining: 'REWIND_WEIGHTS' })).toBe(false);
  expect(planStudy(paper({ seeds: [1] }), () => 300).every((s) => !('retraining' in s.request))).toBe(true);
});

test('explicit fields override the preset; bad values name their field', () => {
  const s = resolveStudy({ preset: 'SMOKE', seeds: [3, 1] }, 10);
  expect(s.seeds).toEqual([1, 3]);
  expect(s.stepsPerLevel).toBe(60);
  const bad = (r: Record<string, unknown>, field: string) => {
    try {
      resolveStudy(r, 3);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(StudyInputError);
      expect((e as StudyInputError).field).toBe(field);
    }
  };
  bad({ sparsities: [0.2, 1] }, 'sparsities[1]');
  bad({ seeds: [] }, 'seeds');
  bad({ seeds: [1, 2, 3, 4] }, 'seeds');
  bad({ seeds: [1, 1] }, 'seeds');
  bad({ adversarialSparsities: [0.65] }, 'adversarialSparsities[0]');
  bad({ threshold: 0 }, 'threshold');
  bad({ stepsPerLevel: 0 }, 'stepsPerLevel');
});

test('Stat: mean, sample std, Student-t interval, relative; the comparison rule', () => {
  const s = statOf([0.5, 0.7, 0.6], 0.8)!;
  expect(s.mean).toBe((0.5 + 0.6 + 0.7) / 3);
  expect(s.std).toBeCloseTo(0.1, 12);
  expect(s.ci95).toBeCloseTo((4.303 * 0.1) / Math.sqrt(3), 12);
  expect(s.relative).toBe(s.mean / 0.8);
  expect(statOf([2], 4, true)).toMatchObject({ std: null, ci95: null, relative: 2 });
  expect(statOf([], null)).toBeNull();
  expect(tQuantile975(100)).toBe(1.96);
  const a = statOf([0.7, 0.72, 0.71], null)!;
  const b = statOf([0.5, 0.52, 0.51], null)!;
  expect(clearlyBetter(a, b)).toEqual({ better: true, spread: true });
  const wide = statOf([0.4, 0.9, 0.65], null)!;
  expect(clearlyBetter(wide, b).better).toBe(false);
  expect(clearlyBetter(statOf([0.6], null)!, statOf([0.5], null)!)).toEqual({ better: true, spread: false });
});
