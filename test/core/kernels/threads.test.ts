/** The load-adaptive BLAS thread policy (pure decision; the addon is not needed). */
import { reduceThreads } from '../../../src/core/kernels/native';

test('large products drop to one thread above cores + 0.5 and come back below cores - 0.5', () => {
  expect(reduceThreads(false, 1.2, 2)).toBe(false);
  expect(reduceThreads(false, 2.4, 2)).toBe(false); // inside the band: keep
  expect(reduceThreads(false, 2.6, 2)).toBe(true);
  expect(reduceThreads(true, 2.0, 2)).toBe(true); // hysteresis: still loaded
  expect(reduceThreads(true, 1.4, 2)).toBe(false);
  expect(reduceThreads(false, 50, 1)).toBe(false); // one core: nothing to reduce
});
