import type { Database } from 'better-sqlite3';

import type { CallEvent } from '../../../telecmi/index.js';
import type { Page, PageQuery, QuarantinedRequest, StoredEvent } from '../../store.js';

export interface EventRow {
  seq: number;
  method: string;
  content_type: string | null;
  event: string;
  raw: Buffer;
}

interface QuarantineRow {
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

export const toEvent = (row: EventRow): StoredEvent => ({
  ...(JSON.parse(row.event) as Omit<CallEvent, 'raw'>),
  raw: row.raw.toString('utf8'),
  method: row.method,
  contentType: row.content_type,
  cursor: String(row.seq),
});

const toQuarantined = (row: QuarantineRow): QuarantinedRequest => ({
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

function toPage<Row extends { seq: number }, T>(rows: Row[], limit: number, map: (row: Row) => T): Page<T> {
  const last = rows.at(-1);
  return { items: rows.map(map), next: rows.length === limit && last ? String(last.seq) : null };
}

/** The read queries of the SQLite store. Paging walks the primary key, so a page never scans skipped rows. */
export function prepareReads(db: Database) {
  const listEvents = db.prepare(
    'SELECT seq, method, content_type, event, raw FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
  );
  const getEvent = db.prepare('SELECT seq, method, content_type, event, raw FROM events WHERE id = ?');
  const listQuarantine = db.prepare('SELECT * FROM quarantine WHERE seq > ? ORDER BY seq LIMIT ?');
  const countEvents = db.prepare('SELECT count(*) FROM events').pluck();

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
  };
}
