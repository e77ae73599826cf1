import { TelecmiApiError } from './api-error.js';

/** How often and how patiently a request to TeleCMI is tried. */
export interface RetryPolicy {
  /** Tries in all, the first included. @defaultValue 4 */
  readonly tries: number;
  /** The pause before the second try; it doubles before each next one. @defaultValue 1000 */
  readonly baseDelayMs: number;
  /** The longest pause, Retry-After included. @defaultValue 30000 */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { tries: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };

/**
 * The pause before try `next` (2, 3, …) after `error`, or null to give up: only timeouts, network failures and
 * 5xx/429/408 are tried again (a wrong secret or a 404 will not get better), at most `tries` times in all, with
 * exponential backoff; a Retry-After from TeleCMI is honoured up to `maxDelayMs`. One client per app makes the
 * requests, so there is no herd for jitter to spread.
 */
export function delayBeforeTry(next: number, error: unknown, policy: RetryPolicy): number | null {
  if (!(error instanceof TelecmiApiError) || !error.retryable || next > policy.tries) return null;
  const backoff = policy.baseDelayMs * 2 ** (next - 2);
  const asked = error.retryAfterSec === null ? 0 : error.retryAfterSec * 1000;
  return Math.min(policy.maxDelayMs, Math.max(backoff, asked));
}
