/**
 * How many failed sign-ins are allowed per name and per client address within {@link WINDOW_MS}. A person who
 * mistypes a few times is not locked out; a script guessing one name, or many names from one address, is slowed
 * to a handful of guesses per quarter hour. An address gets more, since one office may share it.
 */
export const SIGN_IN_LIMITS = { perName: 5, perAddress: 20 } as const;
export const WINDOW_MS = 15 * 60_000;
/** Names and addresses remembered at most; the oldest is forgotten first (memory stays bounded under a flood). */
const MAX_KEYS = 10_000;

/**
 * Counts failed sign-ins, per name and per client address, in this process (with several processes on one
 * PostgreSQL each has its own counts: the limit is per process).
 */
export function createSignInLimiter(now: () => number) {
  const failures = new Map<string, number[]>();

  const recent = (key: string): number[] => {
    const times = failures.get(key);
    if (!times) return [];
    const since = now() - WINDOW_MS;
    const kept = times.filter((at) => at > since);
    if (kept.length === 0) failures.delete(key);
    else failures.set(key, kept);
    return kept;
  };

  const note = (key: string): void => {
    const times = recent(key);
    failures.delete(key);
    failures.set(key, [...times, now()]);
    if (failures.size > MAX_KEYS) failures.delete(failures.keys().next().value!);
  };

  return {
    /** When sign-ins for this name or from this address may be tried again (ms from now), or 0: now. */
    retryAfterMs(name: string, address: string): number {
      let wait = 0;
      for (const [key, limit] of [
        [`name:${name}`, SIGN_IN_LIMITS.perName],
        [`address:${address}`, SIGN_IN_LIMITS.perAddress],
      ] as const) {
        const times = recent(key);
        if (times.length >= limit) wait = Math.max(wait, times[times.length - limit]! + WINDOW_MS - now());
      }
      return wait;
    },
    failed(name: string, address: string): void {
      note(`name:${name}`);
      note(`address:${address}`);
    },
    /** A success forgets the name's failures (not the address's: one right password must not reset a scan). */
    succeeded(name: string): void {
      failures.delete(`name:${name}`);
    },
  };
}

export type SignInLimiter = ReturnType<typeof createSignInLimiter>;
