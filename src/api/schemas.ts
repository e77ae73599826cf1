import { type TSchema, Type } from '@sinclair/typebox';

import { CallEvent } from '../telecmi/index.js';

/** Query parameters of every paged list. */
export const PageQuery = Type.Object(
  {
    after: Type.Optional(
      Type.String({ pattern: '^\\d{1,16}$', description: 'a cursor: the "next" of the previous page' }),
    ),
    limit: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 100,
      description: 'an integer from 1 to 1000',
    }),
  },
  { additionalProperties: false },
);

/** `{"items": [...], "next": cursor | null}`. */
export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), next: Type.Union([Type.String(), Type.Null()]) });

export const StoredEvent = Type.Composite([
  Type.Omit(CallEvent, ['raw']),
  Type.Object({
    raw: Type.String({ description: 'The exact text received.' }),
    method: Type.String({ description: 'POST or GET.' }),
    contentType: Type.Union([Type.String(), Type.Null()]),
    source: Type.Union([Type.Literal('webhook'), Type.Literal('backfill')], {
      description:
        "webhook: delivered by TeleCMI; backfill: a row of TeleCMI's call history, read by a reconcile run.",
    }),
  }),
]);

export const QuarantinedRequest = Type.Object({
  id: Type.String(),
  receivedAt: Type.Number(),
  reason: Type.String({ description: 'The error code that refused it.' }),
  message: Type.String(),
  method: Type.String(),
  path: Type.String({ description: 'The route, without the token.' }),
  contentType: Type.Union([Type.String(), Type.Null()]),
  raw: Type.String({ description: 'The body as text; invalid UTF-8 replaced.' }),
  rawBase64: Type.String({ description: 'The exact bytes, base64.' }),
});

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

const Figures = Type.Object({
  offered: Type.Integer(),
  answered: Type.Integer(),
  abandoned: Type.Integer(),
  shortAbandoned: Type.Integer(),
  missed: Type.Integer(),
  voicemail: Type.Integer(),
  unknown: Type.Integer(),
  live: Type.Integer(),
  answeredWithinServiceLevel: Type.Integer(),
  asaSec: NullableNumber,
  ahtSec: NullableNumber,
  serviceLevel: NullableNumber,
  abandonmentRate: NullableNumber,
  outboundPlaced: Type.Integer(),
  outboundAnswered: Type.Integer(),
});

export const StatsResponse = Type.Object({
  from: Type.Number({ description: 'Start of the period (inclusive), epoch ms.' }),
  to: Type.Number({ description: 'End of the period (exclusive), epoch ms.' }),
  timezone: Type.String(),
  parameters: Type.Object({
    serviceLevelSec: Type.Number(),
    shortAbandonSec: Type.Number(),
    timezone: Type.String(),
  }),
  definitions: Type.Record(Type.String(), Type.String(), { description: 'Every metric, defined.' }),
  hours: Type.Optional(
    Type.Union(
      [Type.Literal('business'), Type.Object({ startMinute: Type.Integer(), endMinute: Type.Integer() })],
      {
        description:
          "With hours=: the business hours counted: 'business' (the centre's calendar) or minutes after local midnight.",
      },
    ),
  ),
  totals: Figures,
  now: Type.Object({
    at: Type.Number(),
    waitingNow: Type.Integer(),
    longestWaitSec: NullableNumber,
    oldestWaitingSince: NullableNumber,
    talkingNow: Type.Integer(),
  }),
  groupBy: Type.Optional(Type.String()),
  groups: Type.Optional(
    Type.Array(Type.Object({}, { additionalProperties: true }), {
      description:
        'Per team (key), per agent (agent), or per local hour/day (key, start), each with the figures.',
    }),
  ),
});

export const CallbackSchema = Type.Union([
  Type.Object({
    at: Type.Number(),
    by: Type.Union([Type.String(), Type.Null()]),
    key: Type.String(),
    answered: Type.Boolean(),
  }),
  Type.Null(),
]);

export const RepeatCallersResponse = Type.Object({
  from: Type.Number({ description: 'Start of the period (inclusive), epoch ms.' }),
  to: Type.Number({ description: 'End of the period (exclusive), epoch ms.' }),
  timezone: Type.String(),
  items: Type.Array(
    Type.Object({
      number: Type.String({ description: 'The caller.' }),
      calls: Type.Integer({ description: 'Its inbound calls in the period.' }),
      answered: Type.Integer({ description: 'How many of them were answered.' }),
      firstAt: Type.Number({ description: 'The start of its first call in the period, epoch ms.' }),
      lastAt: Type.Number({ description: 'The start of its last call in the period, epoch ms.' }),
    }),
  ),
});
