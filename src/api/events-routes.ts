import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { QueryError } from '../errors.js';
import type { Store } from '../store/index.js';
import { parseTimeParam, refuseNonFiniteQuery, TimeParam } from './query-params.js';
import { PageOf, PageQuery, QuarantinedRequest, StoredEvent } from './schemas.js';

const ReceivedParams = {
  from: Type.Optional({ ...TimeParam, description: `received at or after: ${TimeParam.description}` }),
  to: Type.Optional({ ...TimeParam, description: `received before: ${TimeParam.description}` }),
};

/** The receipt period of `from`/`to`, or null when neither is given. */
function receivedPeriod(query: { from?: string; to?: string }): { from: number; to: number } | null {
  if (query.from === undefined && query.to === undefined) return null;
  return {
    from: parseTimeParam('from', query.from) ?? 0,
    to: parseTimeParam('to', query.to) ?? Number.MAX_SAFE_INTEGER,
  };
}

/**
 * `GET /api/events` and `GET /api/quarantine`: what was received, oldest first, with cursor paging; with
 * `from`/`to`, only the events received in that period, in the order received. `GET /api/events/count`: how
 * many.
 */
export function eventsRoutes(store: Store): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', refuseNonFiniteQuery);
    app.get(
      '/api/events',
      {
        schema: {
          summary:
            'Stored events, oldest first; with from/to, those received in [from, to), in the order received',
          querystring: Type.Object(
            {
              ...PageQuery.properties,
              ...ReceivedParams,
              source: Type.Optional(
                Type.Union([Type.Literal('webhook'), Type.Literal('backfill')], {
                  description: "only events that came this way (backfill: rows of TeleCMI's call history)",
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 200: PageOf(StoredEvent) },
        },
      },
      async (request) => {
        const { after, limit, source } = request.query;
        const period = receivedPeriod(request.query);
        if (period !== null && source !== undefined)
          throw new QueryError('source', 'no from/to with it (source lists in store order)');
        return period === null
          ? store.listEvents({ after, limit, ...(source === undefined ? {} : { source }) })
          : store.listEventsReceived({ ...period, after, limit });
      },
    );
    app.get(
      '/api/events/count',
      {
        schema: {
          summary: 'How many events were received in [from, to) (default: all)',
          querystring: Type.Object(ReceivedParams, { additionalProperties: false }),
          response: { 200: Type.Object({ count: Type.Integer() }) },
        },
      },
      async (request) => {
        const period = receivedPeriod(request.query);
        return { count: await (period === null ? store.countEvents() : store.countEventsReceived(period)) };
      },
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
