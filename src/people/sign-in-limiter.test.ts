import { describe, expect, it } from 'vitest';

import { createSignInLimiter, SIGN_IN_LIMITS, WINDOW_MS } from './sign-in-limiter.js';

describe('sign-in limiter', () => {
  it('holds a name back after its fifth failure until the oldest is a window old, whatever the address', () => {
    let now = 1_000_000;
    const limiter = createSignInLimiter(() => now);
    for (let n = 0; n < SIGN_IN_LIMITS.perName; n += 1) {
      expect(limiter.retryAfterMs('vera', `10.0.0.${n}`)).toBe(0);
      limiter.failed('vera', `10.0.0.${n}`);
      now += 1000;
    }
    expect(limiter.retryAfterMs('vera', '10.0.9.9')).toBe(1_000_000 + WINDOW_MS - now);
    expect(limiter.retryAfterMs('sam', '10.0.9.9')).toBe(0);
    now = 1_000_000 + WINDOW_MS + 1;
    expect(limiter.retryAfterMs('vera', '10.0.9.9')).toBe(0);
  });

  it('holds an address back after twenty failures over any names, and not another address', () => {
    const now = 5_000;
    const limiter = createSignInLimiter(() => now);
    for (let n = 0; n < SIGN_IN_LIMITS.perAddress; n += 1) limiter.failed(`guess${n}`, '10.9.9.9');
    expect(limiter.retryAfterMs('vera', '10.9.9.9')).toBe(WINDOW_MS);
    expect(limiter.retryAfterMs('vera', '10.0.0.1')).toBe(0);
  });

  it("forgets a name's failures when it signs in, but not its address's", () => {
    const limiter = createSignInLimiter(() => 0);
    for (let n = 0; n < SIGN_IN_LIMITS.perName - 1; n += 1) limiter.failed('vera', '10.0.0.1');
    limiter.succeeded('vera');
    limiter.failed('vera', '10.0.0.1');
    expect(limiter.retryAfterMs('vera', '10.0.0.2')).toBe(0);
    for (let n = 0; n < SIGN_IN_LIMITS.perAddress - SIGN_IN_LIMITS.perName; n += 1)
      limiter.failed(`x${n}`, '10.0.0.1');
    expect(limiter.retryAfterMs('sam', '10.0.0.1')).toBeGreaterThan(0);
  });
});
