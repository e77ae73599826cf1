import type { FastifyRequest } from 'fastify';

import { AppError } from '../errors.js';
import type { AccessConfig } from '../http/route-config.js';
import { isSameToken } from '../tokens.js';

/** What a route marked for the wallboard declares in its `config`. */
export const VIEWER_ROUTE: AccessConfig = { viewer: true };

function presentedToken(request: FastifyRequest, config: AccessConfig): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^bearer /i.test(header)) return header.slice(7).trim();
  if (config.tokenInQuery) {
    const token = (request.query as { token?: unknown }).token;
    if (typeof token === 'string') return token;
  }
  return undefined;
}

/**
 * An onRequest hook for /api: the API token may do everything; the viewer token may only GET the routes marked
 * `viewer` (the wallboard's); anything else is 401 (no or wrong token) or 403 (a viewer token used to write).
 */
export function createAuthorizer(tokens: { apiToken: string; viewerToken: string }) {
  return async (request: FastifyRequest): Promise<void> => {
    const config: AccessConfig = request.routeOptions.config;
    const presented = presentedToken(request, config);
    if (isSameToken(presented, tokens.apiToken)) return;
    if (isSameToken(presented, tokens.viewerToken)) {
      if (config.viewer && (request.method === 'GET' || request.method === 'HEAD')) return;
      throw new AppError(
        'FORBIDDEN',
        config.viewerRefusal ?? 'The viewer token only reads the wallboard; use the API token for this.',
      );
    }
    throw new AppError(
      'API_TOKEN_INVALID',
      presented === undefined
        ? 'Missing API token: send "Authorization: Bearer <api token>" (printed by "telehook serve"; TELEHOOK_API_TOKEN).'
        : 'Wrong API token: use the API token printed by "telehook serve" (TELEHOOK_API_TOKEN or the data directory).',
    );
  };
}
