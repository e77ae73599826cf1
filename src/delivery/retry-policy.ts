/**
 * What an attempt's answer means, in one table (undici's and graphile's habit): success, retry later, give up,
 * or the endpoint is gone.
 */
export type Verdict = 'delivered' | 'retry' | 'permanent' | 'gone';

/** Statuses that are not 2xx and still worth retrying (timeouts, too early, rate limited, server errors). */
const RETRYABLE = new Set([408, 425, 429]);

/** How an HTTP status is treated. No status (refused, reset, timed out, blocked) is retried. */
export function classifyStatus(statusCode: number | null): Verdict {
  if (statusCode === null) return 'retry';
  if (statusCode >= 200 && statusCode < 300) return 'delivered';
  if (statusCode === 410) return 'gone';
  // A redirect is not followed (it could lead anywhere, including inside our network): retried, in case the
  // endpoint's owner fixes it, and visible in the attempts.
  if (statusCode >= 300 && statusCode < 400) return 'retry';
  if (RETRYABLE.has(statusCode) || statusCode >= 500) return 'retry';
  return 'permanent';
}

/** Statuses whose `Retry-After` decides when to try again. */
export const HONOURS_RETRY_AFTER = new Set([429, 503]);

/** The longest `Retry-After` honoured: a day. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/** A `Retry-After` header (seconds, or an HTTP date) as a delay in ms from `now`; null when absent or invalid. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/**
 * When to try again after a failed attempt, or null to give up. `retryStep` is how many attempts were made
 * before this one since the delivery was enqueued (or replayed); `schedule[i]` is the delay before attempt i.
 */
export function nextAttemptAt(
  schedule: readonly number[],
  retryStep: number,
  now: number,
  retryAfterMs: number | null,
): number | null {
  const delay = schedule[retryStep + 1];
  if (delay === undefined) return null;
  return now + (retryAfterMs ?? delay);
}
