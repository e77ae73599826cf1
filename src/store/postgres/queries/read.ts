import type { Pool } from 'pg';

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

export { EVENT_COLUMNS } from '../../stored-event.js';

/** The read queries of the PostgreSQL store. Paging walks the primary key, so a page never scans skipped rows. */
export function createReads(pool: Pool) {
  return {
    listEvents: async ({ after, limit }: PageQuery): Promise<Page<StoredEvent>> => {
      const { rows } = await pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [Number(after ?? 0), limit],
      );
      return toPage(rows, limit, toEvent);
    },
    getEvent: async (id: string): Promise<StoredEvent | null> => {
      const { rows } = await pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = $1`, [id]);
      return rows[0] ? toEvent(rows[0]) : null;
    },
    /** Events by their sequence numbers, in store order. */
    eventsBySeq: async (seqs: readonly number[]): Promise<StoredEvent[]> => {
      if (seqs.length === 0) return [];
      const { rows } = await pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE seq = ANY($1::bigint[]) ORDER BY seq`,
        [seqs],
      );
      return rows.map(toEvent);
    },
    listQuarantine: async ({ after, limit }: PageQuery): Promise<Page<QuarantinedRequest>> => {
      const { rows } = await pool.query<QuarantineRow>(
        'SELECT * FROM quarantine WHERE seq > $1 ORDER BY seq LIMIT $2',
        [Number(after ?? 0), limit],
      );
      return toPage(rows, limit, toQuarantined);
    },
    countEvents: async (): Promise<number> =>
      (await pool.query<{ n: number }>('SELECT count(*) AS n FROM events')).rows[0]!.n,
    listEventsReceived: async ({ from, to, after, limit }: ReceivedQuery): Promise<Page<StoredEvent>> => {
      // Walks events_received_at (received_at, seq): a page starts right after the previous page's last row.
      const { rows } = await pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events
         WHERE received_at >= $1 AND received_at < $2
           AND (received_at, seq) > (coalesce((SELECT received_at FROM events WHERE seq = $3), $1), $3)
           AND ($3 = 0 OR EXISTS (SELECT 1 FROM events WHERE seq = $3))
         ORDER BY received_at, seq LIMIT $4`,
        [from, to, Number(after ?? 0), limit],
      );
      return toPage(rows, limit, toEvent);
    },
    countEventsReceived: async ({ from, to }: ReceivedPeriod): Promise<number> =>
      (
        await pool.query<{ n: number }>(
          'SELECT count(*) AS n FROM events WHERE received_at >= $1 AND received_at < $2',
          [from, to],
        )
      ).rows[0]!.n,
  };
}
