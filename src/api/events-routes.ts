import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

import type { Store } from '../store/index.js';
import { PageOf, PageQuery, QuarantinedRequest, StoredEvent } from './schemas.js';

/** `GET /api/events` and `GET /api/quarantine`: what was received, oldest first, with cursor paging. */
export function eventsRoutes(store: Store): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/events',
      {
        schema: {
          summary: 'Stored events, oldest first',
          querystring: PageQuery,
          response: { 200: PageOf(StoredEvent) },
        },
      },
      async (request) => store.listEvents(request.query),
    );
    app.get(
      '/api/quarantine',
      {
        schema: {
          summary: 'Requests that were not accepted, with the reason',
          querystring: PageQuery,
          response: { 200: PageOf(QuarantinedRequest) },
        },
      },
      async (request) => store.listQuarantine(request.query),
    );
  };
}
