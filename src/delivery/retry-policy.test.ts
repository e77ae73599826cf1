import { describe, expect, it } from 'vitest';

import { classifyStatus, nextAttemptAt, parseRetryAfter } from './retry-policy.js';

describe('retry policy', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [299, 'delivered'],
    [301, 'retry'],
    [302, 'retry'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [408, 'retry'],
    [410, 'gone'],
    [413, 'permanent'],
    [425, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [null, 'retry'],
  ] as const)('treats %s as %s', (status, verdict) => {
    expect(classifyStatus(status)).toBe(verdict);
  });

  it('follows the schedule, then gives up', () => {
    const schedule = [0, 5000, 300_000];
    expect(nextAttemptAt(schedule, 0, 1000, null)).toBe(6000);
    expect(nextAttemptAt(schedule, 1, 1000, null)).toBe(301_000);
    expect(nextAttemptAt(schedule, 2, 1000, null)).toBeNull();
    expect(nextAttemptAt(schedule, 0, 1000, 60_000)).toBe(61_000);
  });

  it('reads Retry-After as seconds or as an HTTP date, capped at a day', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter('999999999', now)).toBe(86_400_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
