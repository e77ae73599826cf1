import { createHash } from 'node:crypto';

import type { FastifyRequest } from 'fastify';

/** The cookie that carries a session's token. */
export const SESSION_COOKIE = 'telehook_session';

/** How long a session lasts after signing in; signing in again starts a new one. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60_000;

/** What the store keeps of a session token (its SHA-256): a copy of the database signs nobody in. */
export const tokenHashOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** The session token a request's Cookie header carries, if any. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === SESSION_COOKIE) {
      const value = part.slice(index + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

/**
 * The Set-Cookie value of a session (or of its removal, given null): HttpOnly (no script reads it), SameSite=Strict
 * (no other site's page sends it), on every path, and Secure when the request came over HTTPS (as Fastify sees it,
 * which honours a trusted proxy's X-Forwarded-Proto).
 */
export function sessionCookie(
  request: FastifyRequest,
  token: string | null,
  maxAgeMs = SESSION_LIFETIME_MS,
): string {
  const parts = [
    `${SESSION_COOKIE}=${token ?? ''}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${token === null ? 0 : Math.floor(maxAgeMs / 1000)}`,
  ];
  if (request.protocol === 'https') parts.push('Secure');
  return parts.join('; ');
}
