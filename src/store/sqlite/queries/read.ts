import type { Database } from 'better-sqlite3';

import type {
  Page,
  PageQuery,
  QuarantinedRequest,
  ReceivedPeriod,
  ReceivedQuery,
  StoredEvent,
} from '../../store.js';
import {
  EVENT_COLUMNS,
  type EventRow,
  type QuarantineRow,
  toEvent,
  toPage,
  toQuarantined,
} from '../../stored-event.js';

export { type EventRow, toEvent } from '../../stored-event.js';
export { EVENT_COLUMNS } from '../../stored-event.js';

/**
 * The events of a call (parameter: its row's id in the calls file), in store order. Each link of the call keeps the seqs of the events
 * whose own call key is that id (`call_links.event_seqs`, written by the fold), so a merge, which relinks the ids,
 * moves their events with them. The events table has no index on its call key: a TeleCMI id lands at a random
 * place in an index, and that index was most of an event's insert (bench/README.md, `npm run bench:insert`).
 */
export const EVENTS_OF_CALL = `SELECT ${EVENT_COLUMNS.split(', ')
  .map((column) => `e.${column}`)
  .join(', ')}
  FROM call_links l, json_each(l.event_seqs) j JOIN events e ON e.seq = j.value
  WHERE l.call_id = ? ORDER BY e.seq`;

/** The read queries of the SQLite store. Paging walks the primary key, so a page never scans skipped rows. */
export function prepareReads(db: Database) {
  const listEvents = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`);
  const getEvent = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`);
  const listQuarantine = db.prepare('SELECT * FROM quarantine WHERE seq > ? ORDER BY seq LIMIT ?');
  const countEvents = db.prepare('SELECT count(*) FROM events').pluck();
  const lastSeq = db.prepare('SELECT max(seq) FROM events').pluck();
  // Walks events_received_at, an index on (received_at) that holds the rowid (seq) too: a page starts right
  // after the previous page's last (received_at, seq) and never scans what came before.
  const listReceived = db.prepare(`
    SELECT ${EVENT_COLUMNS} FROM events
    WHERE received_at >= @from AND received_at < @to AND (received_at, seq) > (@afterAt, @after)
    ORDER BY received_at, seq LIMIT @limit`);
  const receivedAtOf = db.prepare('SELECT received_at FROM events WHERE seq = ?').pluck();
  const countReceived = db
    .prepare('SELECT count(*) FROM events WHERE received_at >= ? AND received_at < ?')
    .pluck();

  return {
    listEvents: ({ after, limit }: PageQuery): Page<StoredEvent> =>
      toPage(listEvents.all(Number(after ?? 0), limit) as EventRow[], limit, toEvent),
    getEvent: (id: string): StoredEvent | null => {
      const row = getEvent.get(id) as EventRow | undefined;
      return row ? toEvent(row) : null;
    },
    listQuarantine: ({ after, limit }: PageQuery): Page<QuarantinedRequest> =>
      toPage(listQuarantine.all(Number(after ?? 0), limit) as QuarantineRow[], limit, toQuarantined),
    countEvents: (): number => countEvents.get() as number,
    /** The cursor of the newest event (seq is the rowid: max() reads one page). */
    lastCursor: (): number => (lastSeq.get() as number | null) ?? 0,
    listEventsReceived: ({ from, to, after, limit }: ReceivedQuery): Page<StoredEvent> => {
      const afterAt = after == null ? from : (receivedAtOf.get(Number(after)) as number | undefined);
      if (afterAt === undefined) return { items: [], next: null };
      const rows = listReceived.all({ from, to, afterAt, after: Number(after ?? 0), limit }) as EventRow[];
      return toPage(rows, limit, toEvent);
    },
    countEventsReceived: ({ from, to }: ReceivedPeriod): number => countReceived.get(from, to) as number,
  };
}
