import type { FastifyRequest } from 'fastify';

import { tokenCheck } from '../tokens.js';
import type { People } from './people.js';

/**
 * Whether a browser may see a page: a wallboard or call-page link with the viewer (or API) token in `?token=`,
 * as TVs and scripts open them, or a signed-in session. The pages hold no data themselves; this keeps a
 * signed-out visitor on /login instead of a page that can only fail.
 */
export function createPageGate(tokens: { apiToken: string; viewerToken: string }, people: People) {
  const isViewerToken = tokenCheck(tokens.viewerToken);
  const isApiToken = tokenCheck(tokens.apiToken);
  return async (request: FastifyRequest): Promise<boolean> => {
    const { token } = request.query as { token?: unknown };
    if (isViewerToken(token) || isApiToken(token)) return true;
    return typeof (await people.lookup(request)) !== 'string';
  };
}
