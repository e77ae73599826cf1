/**
 * The reader of stored events: a row normalised again from its exact bytes. Loaded through ./stored-event.ts
 * (`toEvent`, `loadEventReader`), so that the SQLite fold thread loads the payload schemas (TypeBox) only once it
 * has rows to read.
 */
import {
  type CallEvent,
  normalise,
  parse,
  parseQuery,
  parseRestRow,
  type RestRowSource,
} from '../telecmi/index.js';
import { servableEvent } from './servable.js';
import type { StoredEvent } from './store.js';
import type { EventRow } from './stored-event.js';

/**
 * A stored event, normalised again from its exact bytes: the store keeps the raw body, not a copy of what was
 * derived from it, so a fixed normaliser applies to history. Normalising is pure: the same bytes give the same
 * event. Never throws, and what it returns can always be served (servableEvent).
 */
export function readEvent(row: EventRow): StoredEvent {
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
