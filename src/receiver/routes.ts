import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { AppError } from '../errors.js';
import { tokenCheck } from '../tokens.js';
import { createIngestHandler, type ReceiverDeps } from './ingest.js';

/** The ingest paths: ours, and the one TeleCMI's examples use (with `?token=`). */
export const INGEST_PATHS = { telecmi: '/webhooks/telecmi/:token', examples: '/webhook/cdr' } as const;
const OTHER_METHODS = ['PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;

const acceptedSchema = {
  200: {
    type: 'object',
    properties: { ok: { type: 'boolean' }, id: { type: 'string' }, duplicate: { type: 'boolean' } },
    required: ['ok', 'id', 'duplicate'],
  },
};

/**
 * The receiver: `POST`/`GET /webhooks/telecmi/:token` and `POST`/`GET /webhook/cdr?token=…`. Bodies are taken
 * as raw bytes whatever their Content-Type (TeleCMI documents none), so that the exact bytes can be stored.
 */
export function receiverRoutes(deps: ReceiverDeps) {
  let rejectedTokens = 0;
  const isIngestToken = tokenCheck(deps.ingestToken);

  const checkToken = (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    const params = request.params as { token?: unknown };
    const query = request.query as { token?: unknown };
    const presented = params.token ?? query.token;
    if (isIngestToken(presented)) return done();
    rejectedTokens += 1;
    deps.onRejected?.('INGEST_TOKEN_INVALID');
    request.log.warn(
      {
        code: 'INGEST_TOKEN_INVALID',
        method: request.method,
        route: request.routeOptions.url,
        ip: request.ip,
        rejectedTokens,
      },
      'ingest request refused: wrong or missing token',
    );
    done(
      new AppError(
        'INGEST_TOKEN_INVALID',
        presented === undefined
          ? 'No ingest token: use the ingest URL printed by "telehook serve" (/webhooks/telecmi/<token> or /webhook/cdr?token=<token>).'
          : 'Wrong ingest token: use the ingest URL printed by "telehook serve" (the token is in TELEHOOK_INGEST_TOKEN or the data directory).',
      ),
    );
  };

  const methodNotAllowed = async (_request: FastifyRequest, reply: FastifyReply): Promise<never> => {
    void reply.header('allow', 'POST, GET');
    throw new AppError(
      'METHOD_NOT_ALLOWED',
      'Send TeleCMI webhooks with POST (or GET); this method is not accepted here.',
    );
  };

  return async function receiver(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: deps.bodyLimitBytes },
      (_request, body, done) => {
        done(null, body);
      },
    );
    const handler = createIngestHandler(deps);
    for (const url of Object.values(INGEST_PATHS)) {
      app.route({
        method: ['POST', 'GET'],
        url,
        exposeHeadRoute: false,
        bodyLimit: deps.bodyLimitBytes,
        onRequest: checkToken,
        schema: { response: acceptedSchema },
        handler,
      });
      app.route({ method: [...OTHER_METHODS], url, handler: methodNotAllowed });
    }
  };
}
