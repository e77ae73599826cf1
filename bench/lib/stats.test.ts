import { describe, expect, it } from 'vitest';

import { LatencyRecorder, median, percentile, type RunResult, summarise } from './stats.js';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('LatencyRecorder', () => {
  it('keeps every value past its first capacity, sorted numerically', () => {
    const recorder = new LatencyRecorder();
    for (let index = 70_000; index > 0; index -= 1) recorder.record(index / 10);
    const sorted = recorder.sorted();
    expect(recorder.count).toBe(70_000);
    expect(sorted[0]).toBe(0.1);
    expect(sorted[69_999]).toBe(7000);
    expect(percentile(sorted, 50)).toBe(3500);
  });
});

describe('summarise', () => {
  it('takes medians over rounds, sums errors and keeps the largest peak and noise', () => {
    const run = (round: number, rps: number, rss: number, errors = 0, other = 0): RunResult => ({
      target: 'telehook',
      connections: 50,
      round,
      requestsPerSecond: rps,
      p50Ms: rps / 1000,
      p99Ms: rps / 100,
      errors,
      cpuUsPerRequest: 1e6 / rps,
      otherCpuShare: other,
      peakRssBytes: rss,
    });
    const [summary] = summarise([run(0, 1000, 90), run(1, 3000, 80, 2, 0.25), run(2, 2000, 100, 1)]);
    expect(summary).toEqual({
      target: 'telehook',
      connections: 50,
      rounds: 3,
      requestsPerSecond: 2000,
      spread: 1,
      p50Ms: 2,
      p99Ms: 20,
      errors: 3,
      cpuUsPerRequest: 500,
      maxOtherCpuShare: 0.25,
      peakRssBytes: 90,
      maxPeakRssBytes: 100,
    });
  });
});
