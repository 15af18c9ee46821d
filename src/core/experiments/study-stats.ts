/**
 * Statistics of a study report over seeds (pure): mean, sample std (n − 1), the 95% confidence
 * half-width of the mean (Student t), and the comparison rule the findings use.
 */

export interface Stat {
  mean: number;
  /** sample standard deviation (n − 1); null for a single value */
  std: number | null;
  n: number;
  /** half-width of the 95% confidence interval of the mean, t(0.975, n − 1) · std / √n; null when n < 2 */
  ci95: number | null;
  /** mean ÷ the dense mean of the same task (dense ÷ mean for a loss); null without a dense mean */
  relative: number | null;
}

/** two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom (then 1.96). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  return df >= 1 && df <= T975.length ? T975[df - 1] : 1.96;
}

/**
 * The mean is the sum of the values in ascending order, ÷ n (in doubles), so a client that
 * lists the same evaluations and sums them so gets the same number to the last digit.
 */
export function statOf(input: number[], dense: number | null, lowerIsBetter = false): Stat | null {
  const values = [...input].sort((a, b) => a - b);
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n < 2 ? null : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const ci95 = std === null ? null : (tQuantile975(n - 1) * std) / Math.sqrt(n);
  let relative: number | null = null;
  if (dense !== null) {
    if (lowerIsBetter) relative = mean === 0 ? null : dense / mean;
    else relative = dense === 0 ? null : mean / dense;
  }
  return { mean, std, n, ci95, relative };
}

/**
 * `a` is better than `b` beyond the seeds' spread: the gap of the means (in the metric's
 * direction) exceeds √(ci95(a)² + ci95(b)²). With a single seed on either side there is no spread
 * to account for and the means decide; `spread` says which rule was applied.
 */
export function clearlyBetter(a: Stat, b: Stat, lowerIsBetter = false): { better: boolean; spread: boolean } {
  const gap = lowerIsBetter ? b.mean - a.mean : a.mean - b.mean;
  if (a.ci95 === null || b.ci95 === null) return { better: gap > 0, spread: false };
  return { better: gap > Math.sqrt(a.ci95 ** 2 + b.ci95 ** 2), spread: true };
}

export const fmt = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
