import type { FastifyRequest } from 'fastify';

import { AppError } from '../errors.js';
import type { AccessConfig } from '../http/route-config.js';
import { hasRole, type Role, type SessionUser } from '../store/index.js';
import { isSameToken } from '../tokens.js';

/** What a route marked for the wallboard declares in its `config`. */
export const VIEWER_ROUTE: AccessConfig = { viewer: true };

/** Who a request's session cookie signs in (people/ answers it; app.ts wires it). */
export type SessionLookup = (request: FastifyRequest) => Promise<SessionUser | 'none' | 'ended'>;

const isRead = (request: FastifyRequest): boolean => request.method === 'GET' || request.method === 'HEAD';

function presentedToken(request: FastifyRequest, config: AccessConfig): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^bearer /i.test(header)) return header.slice(7).trim();
  if (config.tokenInQuery) {
    const token = (request.query as { token?: unknown }).token;
    if (typeof token === 'string') return token;
  }
  return undefined;
}

/** The least role a signed-in person needs for this request (see AccessConfig.role). */
export function roleNeeded(config: AccessConfig, method: string): Role {
  return config.role ?? ((method === 'GET' || method === 'HEAD') && config.viewer ? 'viewer' : 'admin');
}

/**
 * An onRequest hook for /api: the API token may do everything; the viewer token may only GET the routes marked
 * `viewer` (the wallboard's); a signed-in person (session cookie) what their role allows; anything else is 401
 * (no or wrong token, an ended session) or 403 (a viewer token used to write, a role that may not).
 */
export function createAuthorizer(
  tokens: { apiToken: string; viewerToken: string },
  lookupSession: SessionLookup = async () => 'none',
) {
  return async (request: FastifyRequest): Promise<void> => {
    const config: AccessConfig = request.routeOptions.config;
    const presented = presentedToken(request, config);
    if (isSameToken(presented, tokens.apiToken)) return;
    if (isSameToken(presented, tokens.viewerToken)) {
      if (config.viewer && isRead(request)) return;
      throw new AppError(
        'FORBIDDEN',
        config.viewerRefusal ?? 'The viewer token only reads the wallboard; use the API token for this.',
      );
    }
    if (presented === undefined) {
      const person = await lookupSession(request);
      if (person === 'ended')
        throw new AppError(
          'SESSION_ENDED',
          'Your session has ended (signed out or expired): sign in again at /login.',
        );
      if (person !== 'none') {
        const needed = roleNeeded(config, request.method);
        if (!hasRole(person.role, needed))
          throw new AppError(
            'FORBIDDEN',
            `This needs the ${needed} role; ${person.name} is a ${person.role}.`,
          );
        // SameSite=Strict keeps other sites' requests from carrying the cookie; a browser that says where a write
        // comes from is held to this site as well.
        const site = request.headers['sec-fetch-site'];
        if (!isRead(request) && site !== undefined && site !== 'same-origin' && site !== 'none')
          throw new AppError('FORBIDDEN', 'A signed-in write must come from telehook’s own pages.');
        request.person = person;
        return;
      }
    }
    throw new AppError(
      'API_TOKEN_INVALID',
      presented === undefined
        ? 'Missing API token: send "Authorization: Bearer <api token>" (printed by "telehook serve"; TELEHOOK_API_TOKEN).'
        : 'Wrong API token: use the API token printed by "telehook serve" (TELEHOOK_API_TOKEN or the data directory).',
    );
  };
}
