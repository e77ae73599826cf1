import { describe, expect, it } from 'vitest';

import { TelecmiApiError, type TelecmiApiErrorCode } from './api-error.js';
import { DEFAULT_RETRY_POLICY, delayBeforeTry } from './retry-policy.js';

const error = (code: TelecmiApiErrorCode, retryAfterSec: number | null = null) =>
  new TelecmiApiError(code, 'x', { request: 'POST /v2/answered', retryAfterSec });

describe('delayBeforeTry', () => {
  it.each<[TelecmiApiErrorCode, number | null]>([
    ['TELECMI_TIMEOUT', 1000],
    ['TELECMI_UNAVAILABLE', 1000],
    ['TELECMI_NETWORK', 1000],
    ['TELECMI_AUTH_FAILED', null],
    ['TELECMI_NOT_FOUND', null],
    ['TELECMI_API_ERROR', null],
    ['TELECMI_BAD_ANSWER', null],
  ])('after %s, tries again in %s ms (null: never)', (code, delay) => {
    expect(delayBeforeTry(2, error(code), DEFAULT_RETRY_POLICY)).toBe(delay);
  });

  it('doubles the pause each try, honours Retry-After, caps both, and stops after the last try', () => {
    const policy = { tries: 5, baseDelayMs: 1000, maxDelayMs: 5000 };
    expect([2, 3, 4, 5, 6].map((next) => delayBeforeTry(next, error('TELECMI_TIMEOUT'), policy))).toEqual([
      1000,
      2000,
      4000,
      5000,
      null,
    ]);
    expect(delayBeforeTry(2, error('TELECMI_UNAVAILABLE', 3), policy)).toBe(3000);
    expect(delayBeforeTry(2, error('TELECMI_UNAVAILABLE', 3600), policy)).toBe(5000);
    expect(delayBeforeTry(2, new Error('a bug'), policy)).toBeNull();
  });
});
