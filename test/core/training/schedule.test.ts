import { linearWarmupDecay, warmupConstant } from '../../../src/core/training';

describe('learning-rate schedules', () => {
  test('warmupConstant: linear warm-up, then the peak to the end', () => {
    expect(warmupConstant(0, 2e-3, 4)).toBeCloseTo(0.5e-3, 12);
    expect(warmupConstant(3, 2e-3, 4)).toBeCloseTo(2e-3, 12);
    expect(warmupConstant(4, 2e-3, 4)).toBe(2e-3);
    expect(warmupConstant(10_000, 2e-3, 4)).toBe(2e-3);
    expect(warmupConstant(0, 1e-3, 0)).toBe(1e-3);
  });
  test('linearWarmupDecay still decays to 0 at the last step', () => {
    expect(linearWarmupDecay(9, 10, 1e-3, 2)).toBe(0);
    expect(linearWarmupDecay(1, 10, 1e-3, 2)).toBeCloseTo(1e-3, 12);
  });
});
