import { randomBytes } from 'node:crypto';

import type { FastifyRequest } from 'fastify';

import { AppError } from '../errors.js';
import type { SessionUser, Store } from '../store/index.js';
import { verifyPassword } from './password.js';
import { SESSION_LIFETIME_MS, sessionTokenOf, tokenHashOf } from './session-cookie.js';
import { createSignInLimiter } from './sign-in-limiter.js';

/** Who a request's session cookie signs in: a person, no cookie at all, or a cookie of no live session. */
export type SessionLookup = SessionUser | 'none' | 'ended';

/**
 * Signing in and out, and who a request's session belongs to. Sessions live in the store, so that signing out
 * (or a changed password, or a removed user) ends them in every process at once.
 */
export function createPeople(options: { store: Store; now: () => number }) {
  const { store, now } = options;
  const limiter = createSignInLimiter(now);

  return {
    /**
     * Checks a name and password and starts a session. @returns the session's token (for the cookie) and who.
     * @throws AppError SIGN_IN_RATE_LIMITED (with `retryAfterSec`) after too many failures for this name or address,
     * SIGN_IN_FAILED when the name or the password is wrong (never saying which).
     */
    async signIn(
      name: string,
      password: string,
      address: string,
    ): Promise<{ token: string; user: SessionUser }> {
      const waitMs = limiter.retryAfterMs(name, address);
      if (waitMs > 0) {
        const retryAfterSec = Math.ceil(waitMs / 1000);
        throw Object.assign(
          new AppError(
            'SIGN_IN_RATE_LIMITED',
            `Too many failed sign-ins for this name or from this address: try again in ${Math.ceil(retryAfterSec / 60)} min.`,
          ),
          { retryAfterSec },
        );
      }
      const user = await store.getUser(name);
      const isMatch = await verifyPassword(password, user?.passwordHash ?? null);
      if (!user || !isMatch) {
        limiter.failed(name, address);
        throw new AppError('SIGN_IN_FAILED', 'Wrong name or password.');
      }
      limiter.succeeded(name);
      const token = randomBytes(32).toString('base64url');
      const at = now();
      const expiresAt = at + SESSION_LIFETIME_MS;
      await store.startSession({ tokenHash: tokenHashOf(token), name: user.name, createdAt: at, expiresAt });
      return { token, user: { name: user.name, role: user.role, expiresAt } };
    },

    /** Who the request's session cookie signs in. */
    async lookup(request: FastifyRequest): Promise<SessionLookup> {
      const token = sessionTokenOf(request);
      if (token === undefined) return 'none';
      return (await store.findSession(tokenHashOf(token), now())) ?? 'ended';
    },

    /** Ends the request's session, if it has one. */
    async signOut(request: FastifyRequest): Promise<void> {
      const token = sessionTokenOf(request);
      if (token !== undefined) await store.endSession(tokenHashOf(token));
    },
  };
}

export type People = ReturnType<typeof createPeople>;
