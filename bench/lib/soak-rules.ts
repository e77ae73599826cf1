/** One RSS sample of the soak: seconds since the start, and megabytes. */
export interface RssSample {
  readonly t: number;
  readonly rss: number;
}

/** The average RSS of each whole minute (index 0 = minute 1). */
export function minuteAverages(samples: readonly RssSample[]): number[] {
  const sums: number[] = [];
  const counts: number[] = [];
  for (const { t, rss } of samples) {
    const minute = Math.floor(t / 60);
    sums[minute] = (sums[minute] ?? 0) + rss;
    counts[minute] = (counts[minute] ?? 0) + 1;
  }
  return sums.map((sum, minute) => sum / (counts[minute] ?? 1)).filter((value) => Number.isFinite(value));
}

/**
 * Issue 20's memory rule: after minute 2, no minute's average RSS more than 15% above minute 2's (a rule on minute
 * averages, not a slope over garbage-collection swings). Null when there are fewer than three minutes.
 */
export function minuteRule(averages: readonly number[]): { pass: boolean; worst: number } | null {
  const base = averages[1];
  if (base === undefined || averages.length < 3) return null;
  const worst = Math.max(...averages.slice(2).map((value) => value / base));
  return { pass: worst <= 1.15, worst };
}

/** The p-th percentile (0–100) of unsorted values, NaN when there are none. */
export function percentileOf(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
