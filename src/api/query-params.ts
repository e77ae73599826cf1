import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';

import { QueryError } from '../errors.js';

const TIME_DESCRIPTION = 'epoch milliseconds or an ISO 8601 time (e.g. 2026-11-25T09:00:00+05:30)';

/** A time parameter: epoch milliseconds or ISO 8601. */
export const TimeParam = Type.String({ description: TIME_DESCRIPTION, minLength: 1 });

/**
 * The last epoch millisecond a time parameter may be: 9999-12-31T23:59:59.999Z, as far as the ISO form reaches.
 * Further on (up to 16 digits), the day and hour arithmetic of the metrics leaves what a Date holds (a 500).
 */
const LATEST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Reads a time parameter, or throws a 400 that names it. */
export function parseTimeParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,16}$/.test(text) && Number(text) <= LATEST_TIME_MS) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const parsed = Date.parse(text);
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw new QueryError(name, TIME_DESCRIPTION);
}

/**
 * A preHandler that answers 400 for a numeric query parameter that is not finite. Fastify's validator coerces
 * `limit=1e309` to Infinity and lets it through `integer` and `maximum` (ajv 8 coercion), and the store then
 * fails on it with a misleading 503.
 */
export async function refuseNonFiniteQuery(request: FastifyRequest): Promise<void> {
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>))
    if (typeof value === 'number' && !Number.isFinite(value)) throw new QueryError(name, 'a finite number');
}

/** Checks an IANA time zone parameter. */
export function parseTimeZoneParam(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return value;
  } catch {
    throw new QueryError(name, 'an IANA time zone such as Asia/Kolkata or Europe/London');
  }
}

/** Business hours: `business` (the centre's, as configured) or `HH:MM-HH:MM`, local time, every day. */
export const HoursParam = Type.String({
  pattern: '^(business|([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-4]):[0-5]\\d)$',
  description:
    'only calls that started in business hours: "business" for the centre\'s (TELEHOOK_BUSINESS_HOURS, ' +
    'TELEHOOK_HOLIDAYS, in TELEHOOK_TIMEZONE, as the alert rules count them), or HH:MM-HH:MM (e.g. 09:00-18:00) ' +
    'for the same local times every day',
});

/** Reads an hours parameter: 'business', or minutes after midnight; throws a 400 that names it. */
export function parseHoursParam(
  name: string,
  value: string | undefined,
): 'business' | { startMinute: number; endMinute: number } | undefined {
  if (value === undefined || value === 'business') return value;
  const [start, end] = value.split('-').map((time) => {
    const [hours, minutes] = time.split(':').map(Number);
    return hours! * 60 + minutes!;
  });
  if (start === undefined || end === undefined || !(start < end) || end > 24 * 60)
    throw new QueryError(name, 'business, or HH:MM-HH:MM with the start before the end, e.g. 09:00-18:00');
  return { startMinute: start, endMinute: end };
}

export const CallFilterParams = {
  from: Type.Optional(TimeParam),
  to: Type.Optional(TimeParam),
  outcome: Type.Optional(
    Type.Union(
      ['answered', 'abandoned', 'missed', 'voicemail', 'unknown'].map((value) => Type.Literal(value)),
      {
        description: 'one of answered, abandoned, missed, voicemail, unknown',
      },
    ),
  ),
  state: Type.Optional(
    Type.Union(
      ['waiting', 'ringing', 'answered', 'ended'].map((value) => Type.Literal(value)),
      {
        description: 'one of waiting, ringing, answered, ended',
      },
    ),
  ),
  direction: Type.Optional(
    Type.Union([Type.Literal('inbound'), Type.Literal('outbound')], { description: 'inbound or outbound' }),
  ),
  team: Type.Optional(Type.String({ minLength: 1, description: 'a TeleCMI team, e.g. Sales_2222223' })),
  agent: Type.Optional(Type.String({ minLength: 1, description: 'a TeleCMI user, e.g. 204_2222223' })),
  number: Type.Optional(Type.String({ minLength: 1, description: 'a phone number, digits' })),
  numberContains: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 32,
      pattern: '^[0-9+ ().-]*[0-9][0-9+ ().-]*$',
      description: 'digits found anywhere in the number the call was from, to or through (e.g. 98765)',
    }),
  ),
  source: Type.Optional(
    Type.Union([Type.Literal('webhook'), Type.Literal('backfill')], {
      description:
        "backfill: calls known only from TeleCMI's call history (recovered by a reconcile run); webhook: the others",
    }),
  ),
};

export interface CallFilterQuery {
  from?: string;
  to?: string;
  outcome?: string;
  state?: string;
  direction?: string;
  team?: string;
  agent?: string;
  number?: string;
  numberContains?: string;
  source?: 'webhook' | 'backfill';
}

/** The store filter of the call filter parameters. */
export function toCallFilter(query: CallFilterQuery) {
  return {
    from: parseTimeParam('from', query.from),
    to: parseTimeParam('to', query.to),
    outcome: query.outcome,
    state: query.state,
    direction: query.direction,
    team: query.team,
    agent: query.agent,
    number: query.number?.replace(/[\s\-().+]/g, ''),
    numberContains: query.numberContains?.replace(/\D/g, ''),
    source: query.source,
  };
}
