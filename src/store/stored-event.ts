import {
  type CallEvent,
  normalise,
  parse,
  parseQuery,
  parseRestRow,
  type RestRowSource,
} from '../telecmi/index.js';
import { servableEvent } from './servable.js';
import type { Page, QuarantinedRequest, StoredEvent } from './store.js';

/** An events row as both adapters read it: its place, its id, how it came and the exact bytes. */
export interface EventRow {
  seq: number;
  id: string;
  received_at: number;
  method: string;
  content_type: string | null;
  raw: Buffer;
  source: string;
  rest_source: string | null;
}

/** The columns {@link toEvent} reads. */
export const EVENT_COLUMNS = 'seq, id, received_at, method, content_type, raw, source, rest_source';

/** A quarantine row as both adapters read it. */
export interface QuarantineRow {
  seq: number;
  id: string;
  received_at: number;
  reason: string;
  message: string;
  method: string;
  path: string;
  content_type: string | null;
  raw: Buffer;
}

export const toQuarantined = (row: QuarantineRow): QuarantinedRequest => ({
  id: row.id,
  receivedAt: row.received_at,
  reason: row.reason,
  message: row.message,
  method: row.method,
  path: row.path,
  contentType: row.content_type,
  raw: row.raw.toString('utf8'),
  rawBase64: row.raw.toString('base64'),
});

/** A page of rows paged by `seq`: a full page has a next cursor (its last seq). */
export function toPage<Row extends { seq: number }, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
): Page<T> {
  const last = rows.at(-1);
  return { items: rows.map(map), next: rows.length === limit && last ? String(last.seq) : null };
}

/**
 * A stored event, normalised again from its exact bytes: the store keeps the raw body, not a copy of what was
 * derived from it, so a fixed normaliser applies to history. Normalising is pure: the same bytes give the same
 * event. Never throws, and what it returns can always be served (servableEvent).
 */
export function toEvent(row: EventRow): StoredEvent {
  const text = row.raw.toString('utf8');
  const meta = {
    method: row.method,
    contentType: row.content_type,
    source: row.source === 'backfill' ? ('backfill' as const) : ('webhook' as const),
    cursor: String(row.seq),
  };
  let reason: string;
  try {
    const parsed =
      row.rest_source !== null
        ? parseRestRow(text, JSON.parse(row.rest_source) as RestRowSource)
        : row.method === 'GET'
          ? parseQuery(text)
          : parse(row.raw, row.content_type);
    if (parsed.ok)
      return servableEvent({
        ...normalise(parsed.value, { id: row.id, receivedAt: row.received_at }),
        ...meta,
      });
    // Accepted once, so it parsed then; a stricter parser since must not hide it.
    reason = `no longer parses: ${parsed.error.message}`;
  } catch (error) {
    // A stored row must never fail a page of events, the fold or a call's timeline: whatever reading it throws
    // (a normaliser bug, a value no stage can handle), the event is still served, raw, with the reason.
    reason = `cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  }
  return { ...unparsedEvent(row.id, row.received_at, text), warnings: [reason], ...meta };
}

function unparsedEvent(id: string, receivedAt: number, raw: string): CallEvent {
  const empty = Object.fromEntries(NULLABLE_FIELDS.map((field) => [field, null])) as Record<
    (typeof NULLABLE_FIELDS)[number],
    null
  >;
  return {
    id,
    receivedAt,
    product: 'unknown',
    kind: 'event',
    ...empty,
    custom: null,
    extraParams: null,
    wsStatus: null,
    warnings: [],
    raw,
  };
}

const NULLABLE_FIELDS = [
  'status',
  'phase',
  'direction',
  'leg',
  'appId',
  'callKey',
  'legId',
  'conversationUuid',
  'callId',
  'requestId',
  'parentLegId',
  'occurredAt',
  'from',
  'to',
  'callerId',
  'virtualNumber',
  'agent',
  'team',
  'ivr',
  'waitedSec',
  'answeredSec',
  'durationSec',
  'startedAt',
  'answeredAt',
  'endedAt',
  'hangupReason',
  'recorded',
  'recording',
  'hasVoicemail',
  'voicemail',
  'clickToCall',
] as const;
