import type { FastifyRequest } from 'fastify';

import { AppError } from '../errors.js';
import { isSameToken } from '../tokens.js';

/** An onRequest hook that lets a request through only with `Authorization: Bearer <token>`. */
export function requireBearer(token: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const presented =
      typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
    if (isSameToken(presented, token)) return;
    throw new AppError(
      'API_TOKEN_INVALID',
      presented === undefined
        ? 'Missing API token: send "Authorization: Bearer <api token>" (printed by "telehook serve"; TELEHOOK_API_TOKEN).'
        : 'Wrong API token: use the API token printed by "telehook serve" (TELEHOOK_API_TOKEN or the data directory).',
    );
  };
}
