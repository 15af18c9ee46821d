/** The compute thread's step callback: global step numbering, and a NaN loss failing the run. */
import type { ComputeMessage } from '../../src/jobs/compute/protocol';
import { stepReporter } from '../../src/jobs/compute/progress';

test('steps are counted over the whole run', () => {
  const posted: ComputeMessage[] = [];
  const report = stepReporter(
    (m) => posted.push(m),
    200,
    400,
    () => 'level 2',
  );
  report(50, 100, 0.7, 1e-4);
  expect(posted[0]).toMatchObject({
    type: 'progress',
    step: 250,
    totalSteps: 400,
    progress: 0.625,
    loss: 0.7,
    lr: 1e-4,
  });
});

test('a NaN or infinite loss throws with where it happened', () => {
  const report = stepReporter(
    () => undefined,
    0,
    10,
    () => 'level 3',
  );
  expect(() => report(4, 10, NaN, 1e-4)).toThrow('loss became NaN at level 3, step 4: training diverged');
  expect(() => report(5, 10, Infinity, 1e-4)).toThrow('loss became Infinity');
});
