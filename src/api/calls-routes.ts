import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';

import { AppError } from '../errors.js';
import { Call, CALL_SORTS, type Store, type StoredEvent as StoredEventRecord } from '../store/index.js';
import { VIEWER_ROUTE } from './auth.js';
import { exportStream } from './export.js';
import {
  CallFilterParams,
  HoursParam,
  parseHoursParam,
  parseTimeParam,
  parseTimeZoneParam,
  refuseNonFiniteQuery,
  TimeParam,
  toCallFilter,
} from './query-params.js';
import { CallbackSchema, PageOf, RepeatCallersResponse, StatsResponse, StoredEvent } from './schemas.js';

/** What the calls routes need from calls/ (wired by app.ts). */
export interface CallsApi {
  settled(): Promise<void>;
  stats(query: {
    from?: number;
    to?: number;
    team?: string;
    agent?: string;
    groupBy?: 'team' | 'agent' | 'hour' | 'day' | '15min';
    timezone?: string;
    serviceLevelSec?: number;
    shortAbandonSec?: number;
    hours?: 'business' | { startMinute: number; endMinute: number };
  }): Promise<Static<typeof StatsResponse>>;
  repeatCallers(query: {
    from?: number;
    to?: number;
    team?: string;
    agent?: string;
    timezone?: string;
    hours?: 'business' | { startMinute: number; endMinute: number };
    minCalls?: number;
    limit?: number;
  }): Promise<Static<typeof RepeatCallersResponse>>;
  callWithTimeline(key: string): Promise<(Call & { timeline: StoredEventRecord[] }) | null>;
  rebuild(): Promise<{ events: number; ms: number }>;
}

const Limit = Type.Integer({
  minimum: 1,
  maximum: 1000,
  default: 100,
  description: 'an integer from 1 to 1000',
});
const Order = Type.Optional(
  Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'asc or desc' }),
);
const Sort = Type.Optional(
  Type.Union(
    CALL_SORTS.map((sort) => Type.Literal(sort)),
    { description: `one of ${CALL_SORTS.join(', ')}` },
  ),
);
const After = Type.Optional(
  Type.String({ minLength: 1, maxLength: 400, description: 'a cursor: the "next" of the previous page' }),
);

/** The calls query API: list, one call with its timeline, missed calls with callbacks, metrics, exports. */
/** The query parameters of a report's period, time zone, team, agent and business hours (read by reportPeriod). */
const ReportPeriodParams = {
  from: Type.Optional(TimeParam),
  to: Type.Optional(TimeParam),
  tz: Type.Optional(Type.String({ description: 'an IANA time zone such as Asia/Kolkata' })),
  team: CallFilterParams.team,
  agent: CallFilterParams.agent,
  hours: Type.Optional(HoursParam),
};

/** The period, time zone, team, agent and business hours of a report's query (/api/stats, /api/repeat-callers). */
function reportPeriod(query: {
  from?: string;
  to?: string;
  tz?: string;
  team?: string;
  agent?: string;
  hours?: string;
}) {
  return {
    from: parseTimeParam('from', query.from),
    to: parseTimeParam('to', query.to),
    timezone: parseTimeZoneParam('tz', query.tz),
    team: query.team,
    agent: query.agent,
    hours: parseHoursParam('hours', query.hours),
  };
}

export function callsRoutes(store: Store, calls: CallsApi): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', refuseNonFiniteQuery);
    app.get(
      '/api/calls',
      {
        config: VIEWER_ROUTE,
        schema: {
          summary:
            'Calls, newest first (order=asc for oldest first; sort=waited, talked, outcome, from, to, team or agent to sort by that instead), with keyset paging',
          querystring: Type.Object(
            {
              ...CallFilterParams,
              limit: Limit,
              after: After,
              order: Order,
              sort: Sort,
            },
            { additionalProperties: false },
          ),
          response: { 200: PageOf(Call) },
        },
      },
      async (request) => {
        await calls.settled();
        const { limit, after, order, sort } = request.query;
        return store.listCalls({ ...toCallFilter(request.query), limit, after: after ?? null, order, sort });
      },
    );

    for (const format of ['csv', 'ndjson'] as const) {
      app.get(
        `/api/calls.${format}`,
        {
          // The call history page downloads it with a plain link, which sends no header: the token may be in the URL.
          config: { ...VIEWER_ROUTE, tokenInQuery: true },
          schema: {
            summary: `Every call matching the filters as ${format.toUpperCase()}, oldest first (or in the order of sort and order, as /api/calls), streamed`,
            querystring: Type.Object(
              {
                ...CallFilterParams,
                sort: Sort,
                order: Order,
                token: Type.Optional(
                  Type.String({ description: 'the API or viewer token, for a plain link' }),
                ),
              },
              { additionalProperties: false },
            ),
            produces: [format === 'csv' ? 'text/csv' : 'application/x-ndjson'],
          },
        },
        async (request, reply) => {
          await calls.settled();
          const filter = toCallFilter(request.query);
          // Without a sort, oldest first, as every version exported; with one, the order the list shows.
          const { sort, order = sort ? 'desc' : 'asc' } = request.query;
          void reply
            .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
            .header('content-disposition', `attachment; filename="calls.${format}"`);
          return reply.send(exportStream(store, { ...filter, sort, order }, format));
        },
      );
    }

    app.get(
      '/api/calls/:key',
      {
        config: VIEWER_ROUTE,
        schema: {
          summary:
            'A call (by its key or any TeleCMI id of it) and its timeline: every event in TeleCMI time order, with raw',
          params: Type.Object({ key: Type.String({ minLength: 1 }) }),
          response: { 200: Type.Composite([Call, Type.Object({ timeline: Type.Array(StoredEvent) })]) },
        },
      },
      async (request) => {
        const call = await calls.callWithTimeline(request.params.key);
        if (!call) throw new AppError('NOT_FOUND', `No call with key or TeleCMI id "${request.params.key}".`);
        return call;
      },
    );

    app.get(
      '/api/missed',
      {
        config: VIEWER_ROUTE,
        schema: {
          summary:
            'Missed, abandoned and voicemail calls, newest first, each with its callback (a later outbound call to the caller) or null',
          querystring: Type.Object(
            {
              from: Type.Optional(TimeParam),
              to: Type.Optional(TimeParam),
              team: CallFilterParams.team,
              calledBack: Type.Optional(Type.Boolean({ description: 'true or false' })),
              limit: Limit,
              after: After,
            },
            { additionalProperties: false },
          ),
          response: { 200: PageOf(Type.Composite([Call, Type.Object({ calledBack: CallbackSchema })])) },
        },
      },
      async (request) => {
        await calls.settled();
        const query = request.query;
        return store.listMissedCalls({
          from: parseTimeParam('from', query.from),
          to: parseTimeParam('to', query.to),
          team: query.team,
          calledBack: query.calledBack,
          limit: query.limit,
          after: query.after ?? null,
        });
      },
    );

    app.get(
      '/api/stats',
      {
        config: VIEWER_ROUTE,
        schema: {
          summary: 'Call-centre metrics for a period (default: today) with their definitions',
          querystring: Type.Object(
            {
              ...ReportPeriodParams,
              groupBy: Type.Optional(
                Type.Union(
                  [
                    Type.Literal('team'),
                    Type.Literal('agent'),
                    Type.Literal('hour'),
                    Type.Literal('day'),
                    Type.Literal('15min'),
                  ],
                  { description: 'one of team, agent, hour, day, 15min' },
                ),
              ),
              serviceLevelSec: Type.Optional(
                Type.Integer({ minimum: 1, maximum: 3600, description: 'whole seconds from 1 to 3600' }),
              ),
              shortAbandonSec: Type.Optional(
                Type.Integer({ minimum: 0, maximum: 600, description: 'whole seconds from 0 to 600' }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 200: StatsResponse },
        },
      },
      async (request) => {
        const query = request.query;
        return calls.stats({
          ...reportPeriod(query),
          groupBy: query.groupBy,
          serviceLevelSec: query.serviceLevelSec,
          shortAbandonSec: query.shortAbandonSec,
        });
      },
    );

    app.get(
      '/api/repeat-callers',
      {
        config: VIEWER_ROUTE,
        schema: {
          summary:
            'Numbers that called several times in a period (default: today), most calls first, with how many were answered',
          querystring: Type.Object(
            {
              ...ReportPeriodParams,
              minCalls: Type.Integer({
                minimum: 2,
                maximum: 1000,
                default: 2,
                description: 'an integer from 2 to 1000',
              }),
              limit: Limit,
            },
            { additionalProperties: false },
          ),
          response: { 200: RepeatCallersResponse },
        },
      },
      async (request) => {
        const query = request.query;
        return calls.repeatCallers({
          ...reportPeriod(query),
          minCalls: query.minCalls,
          limit: query.limit,
        });
      },
    );

    app.post(
      '/api/rebuild',
      {
        schema: {
          summary: 'Recompute every call from the stored raw events',
          response: { 200: Type.Object({ ok: Type.Boolean(), events: Type.Integer(), ms: Type.Number() }) },
        },
      },
      async () => ({ ok: true, ...(await calls.rebuild()) }),
    );
  };
}
