import { describe, expect, it } from 'vitest';

import { minuteAverages, minuteRule, percentileOf } from './soak-rules.js';

describe('the soak memory rule', () => {
  it('averages each minute and judges every minute after the second against it', () => {
    const samples = [0, 30, 60, 90, 120, 150].map((t, index) => ({
      t,
      rss: [90, 110, 100, 100, 112, 118][index]!,
    }));
    const averages = minuteAverages(samples);
    expect(averages).toEqual([100, 100, 115]);
    expect(minuteRule(averages)).toEqual({ pass: true, worst: 1.15 });
    expect(minuteRule([100, 100, 116])?.pass).toBe(false);
    expect(minuteRule([100, 100])).toBeNull();
  });

  it('takes percentiles of unsorted values', () => {
    expect(percentileOf([5, 1, 4, 2, 3], 95)).toBe(5);
    expect(percentileOf([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentileOf([], 95)).toBeNaN();
  });
});
