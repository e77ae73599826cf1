import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from '@sinclair/typebox';

import { parseDuration } from '../config.js';
import { AppError, QueryError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { EndpointService } from './endpoints.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Values = Type.Union([Type.String(), Type.Array(Type.String())]);

const FilterSchema = Type.Object(
  {
    kind: Type.Optional(Values),
    status: Type.Optional(Values),
    direction: Type.Optional(Values),
    team: Type.Optional(Values),
    number: Type.Optional(Values),
    appId: Type.Optional(Values),
    outcome: Type.Optional(Values),
  },
  { additionalProperties: false },
);

const Receives = Type.Union([Type.Literal('events'), Type.Literal('calls'), Type.Literal('alerts')], {
  description: 'events, calls or alerts',
});
const Format = Type.Union([Type.Literal('json'), Type.Literal('slack'), Type.Literal('teams')], {
  description: 'json, slack or teams',
});
const EndpointFields = {
  url: Type.String({ minLength: 1, maxLength: 2000 }),
  receives: Receives,
  format: Type.Optional(Format),
  filter: Type.Optional(FilterSchema),
  description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  rateLimit: Type.Optional(
    Nullable(Type.Number({ minimum: 0.001, maximum: 10_000, description: 'requests per second' })),
  ),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000, description: 'ms, 100 to 60000' })),
  enabled: Type.Optional(Type.Boolean()),
};

const ListOf = Type.Array(Type.String());
const EndpointSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Nullable(Type.String()),
  receives: Receives,
  format: Format,
  filter: Type.Object({
    kind: Type.Optional(ListOf),
    status: Type.Optional(ListOf),
    direction: Type.Optional(ListOf),
    team: Type.Optional(ListOf),
    number: Type.Optional(ListOf),
    appId: Type.Optional(ListOf),
    outcome: Type.Optional(ListOf),
  }),
  rateLimit: Nullable(Type.Number()),
  timeoutMs: Type.Integer(),
  enabled: Type.Boolean(),
  disabledReason: Nullable(Type.String()),
  disabledAt: Nullable(Type.Number()),
  secret: Type.String({ description: 'whsec_…: verify the webhook-signature header with it' }),
  previousSecret: Nullable(Type.String()),
  previousSecretExpiresAt: Nullable(Type.Number()),
  failingSince: Nullable(Type.Number()),
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
});

const AttemptSchema = Type.Object({
  at: Type.Number(),
  statusCode: Nullable(Type.Integer()),
  latencyMs: Type.Number(),
  response: Nullable(Type.String({ description: 'the first 1 KiB of the answer' })),
  error: Nullable(Type.String()),
});
const DeliverySchema = Type.Object({
  id: Type.String({ description: 'the webhook-id' }),
  endpointId: Type.String(),
  idempotencyKey: Type.String(),
  orderKey: Type.String(),
  type: Type.String(),
  payload: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attemptCount: Type.Integer(),
  retryStep: Type.Integer(),
  nextAttemptAt: Nullable(Type.Number()),
  createdAt: Type.Number(),
  deliveredAt: Nullable(Type.Number()),
  attempts: Type.Array(AttemptSchema),
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const Since = Type.String({
  minLength: 1,
  description: 'a duration back from now (2h, 30m, 1d), epoch ms or ISO 8601',
});

/** `since` as epoch ms: a duration back from now, epoch ms, or an ISO 8601 time. */
function parseSince(name: string, text: string, now: number): number {
  if (/^\d{10,}$/.test(text)) return Number(text);
  try {
    return now - parseDuration(text);
  } catch {
    const at = Date.parse(text);
    if (Number.isNaN(at)) throw new QueryError(name, 'a duration (2h), epoch ms or ISO 8601');
    return at;
  }
}

export interface DeliveryRoutesOptions {
  readonly store: Store;
  readonly endpoints: EndpointService;
  readonly now: () => number;
  /** A delivery was replayed: wake the worker. */
  readonly onRetry: () => void;
}

/** `/api/endpoints` (manage where telehook forwards to) and `/api/deliveries` (what was sent, dead letters, replay). */
export function deliveryRoutes(options: DeliveryRoutesOptions): FastifyPluginAsyncTypebox {
  const { store, endpoints, now } = options;
  return async (app) => {
    app.post(
      '/api/endpoints',
      {
        schema: {
          summary: 'Add an endpoint; the answer carries its id and its signing secret',
          body: Type.Object(EndpointFields, { additionalProperties: false }),
          response: { 201: EndpointSchema },
        },
      },
      async (request, reply) => reply.code(201).send(await endpoints.create(request.body)),
    );
    app.get(
      '/api/endpoints',
      {
        schema: {
          summary: 'Every endpoint',
          response: { 200: Type.Object({ items: Type.Array(EndpointSchema) }) },
        },
      },
      async () => ({ items: await endpoints.list() }),
    );
    app.get(
      '/api/endpoints/:id',
      { schema: { summary: 'One endpoint', params: IdParams, response: { 200: EndpointSchema } } },
      async (request) => endpoints.get(request.params.id),
    );
    app.patch(
      '/api/endpoints/:id',
      {
        schema: {
          summary: 'Change an endpoint (the fields given)',
          params: IdParams,
          body: Type.Partial(Type.Object(EndpointFields), { additionalProperties: false }),
          response: { 200: EndpointSchema },
        },
      },
      async (request) => endpoints.update(request.params.id, request.body),
    );
    app.delete(
      '/api/endpoints/:id',
      { schema: { summary: 'Remove an endpoint and its deliveries', params: IdParams } },
      async (request, reply) => {
        await endpoints.remove(request.params.id);
        return reply.code(204).send();
      },
    );
    for (const action of ['enable', 'disable'] as const) {
      app.post(
        `/api/endpoints/:id/${action}`,
        {
          schema: {
            summary: `${action[0]!.toUpperCase()}${action.slice(1)} an endpoint`,
            params: IdParams,
            response: { 200: EndpointSchema },
          },
        },
        async (request) => endpoints[action](request.params.id),
      );
    }
    app.post(
      '/api/endpoints/:id/rotate-secret',
      {
        schema: {
          summary:
            'A new signing secret; the previous one keeps signing too during the overlap (default 24 h)',
          params: IdParams,
          body: Type.Optional(
            Type.Object(
              { overlapSec: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400 })) },
              { additionalProperties: false },
            ),
          ),
          response: { 200: EndpointSchema },
        },
      },
      async (request) =>
        endpoints.rotateSecret(
          request.params.id,
          request.body?.overlapSec === undefined ? undefined : request.body.overlapSec * 1000,
        ),
    );

    app.get(
      '/api/deliveries',
      {
        schema: {
          summary: 'Deliveries, oldest first, each with every attempt (status=failed: the dead letters)',
          querystring: Type.Object(
            {
              status: Type.Optional(
                Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')], {
                  description: 'pending, delivered or failed',
                }),
              ),
              endpoint: Type.Optional(Type.String({ minLength: 1, description: 'an endpoint id' })),
              since: Type.Optional(Since),
              limit: Type.Integer({
                minimum: 1,
                maximum: 1000,
                default: 100,
                description: 'an integer from 1 to 1000',
              }),
              after: Type.Optional(
                Type.String({
                  pattern: '^\\d{1,16}$',
                  description: 'a cursor: the "next" of the previous page',
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              items: Type.Array(DeliverySchema),
              next: Nullable(Type.String()),
              total: Type.Integer(),
            }),
          },
        },
      },
      async (request) => {
        const { status, endpoint, limit, after } = request.query;
        const since =
          request.query.since === undefined ? undefined : parseSince('since', request.query.since, now());
        const filter = { status, endpointId: endpoint, since };
        const page = await store.listDeliveries({ ...filter, limit, after: after ?? null });
        return { ...page, total: await store.countDeliveries(filter) };
      },
    );
    app.get(
      '/api/deliveries/:id',
      {
        schema: {
          summary: 'One delivery with every attempt',
          params: IdParams,
          response: { 200: DeliverySchema },
        },
      },
      async (request) => {
        const delivery = await store.getDelivery(request.params.id);
        if (!delivery) throw new AppError('DELIVERY_NOT_FOUND', `No delivery "${request.params.id}".`);
        return delivery;
      },
    );
    app.post(
      '/api/deliveries/:id/retry',
      {
        schema: {
          summary: 'Send a delivery again now, from the start of the retry schedule',
          params: IdParams,
          response: { 200: DeliverySchema },
        },
      },
      async (request) => {
        const delivery = await store.retryDelivery(request.params.id, now());
        if (!delivery) throw new AppError('DELIVERY_NOT_FOUND', `No delivery "${request.params.id}".`);
        options.onRetry();
        return delivery;
      },
    );
    app.post(
      '/api/deliveries/retry',
      {
        schema: {
          summary: 'Send again every failed delivery of an endpoint enqueued since a time',
          body: Type.Object(
            { endpoint: Type.String({ minLength: 1 }), since: Since },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ retried: Type.Integer() }) },
        },
      },
      async (request) => {
        const endpoint = await endpoints.get(request.body.endpoint);
        const since = parseSince('since', request.body.since, now());
        const retried = await store.retryDeliveries({ endpointId: endpoint.id, since, now: now() });
        if (retried > 0) options.onRetry();
        return { retried };
      },
    );
  };
}
