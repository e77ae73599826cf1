import { isMainThread } from 'node:worker_threads';

import type { readEvent } from './event-reader.js';
import type { Page, QuarantinedRequest, Store, StoredEvent } from './store.js';

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

let read: typeof readEvent | null = null;

/**
 * Loads the reader of stored events (./event-reader.ts: the TeleCMI parser and normaliser, with the payload
 * schemas that TypeBox compiles). The main thread loads it with this module; a worker thread (the SQLite fold
 * thread) loads it when it first has rows to read (see {@link readingEventsOnDemand}), so that an idle thread does
 * not hold the schemas.
 */
export async function loadEventReader(): Promise<void> {
  read ??= (await import('./event-reader.js')).readEvent;
}
if (isMainThread) await loadEventReader();

/**
 * A stored event, normalised again from its exact bytes (./event-reader.ts `readEvent`: never throws on a row).
 * Throws only when called in a worker thread before {@link loadEventReader}, which is a bug.
 */
export function toEvent(row: EventRow): StoredEvent {
  if (read === null)
    throw new Error('toEvent: the event reader is not loaded in this thread (await loadEventReader() first)');
  return read(row);
}

/**
 * The store as a worker thread's fold uses it: the event reader is loaded before the fold reads its first rows
 * (events to fold that were not handed over in memory, a call's earlier events), not when the thread starts. An
 * idle thread, or one whose store holds no events to fold, never loads it.
 */
export function readingEventsOnDemand(store: Store): Store {
  return {
    ...store,
    listEventsToProject: async (limit) => {
      // None to fold: the answer the store would give. Events committed after this count come with their wake.
      if (read === null && (await store.countEventsToProject()) === 0) return [];
      await loadEventReader();
      return store.listEventsToProject(limit);
    },
    projectCalls: async (batch, fold) => {
      await loadEventReader();
      return store.projectCalls(batch, fold);
    },
  };
}
