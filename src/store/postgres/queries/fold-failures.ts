import type { PoolClient } from 'pg';

import type { StoredEvent } from '../../store.js';

/**
 * Events the fold cannot fold (see Store.recordFoldFailure): dequeued and marked under the projection's lock, so
 * that a process folding that event meanwhile wins (the event is then folded, not failed).
 */
export async function recordFoldFailure(
  client: PoolClient,
  event: StoredEvent,
  reason: string,
  at: number,
): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':telehook:projection'))");
  const seq = Number(event.cursor);
  const { rowCount } = await client.query('DELETE FROM projection_queue WHERE seq = $1', [seq]);
  if (rowCount === 0) return;
  await client.query(
    `INSERT INTO fold_failures (seq, event_id, failed_at, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (seq) DO UPDATE SET failed_at = excluded.failed_at, reason = excluded.reason`,
    [seq, event.id, at, reason],
  );
  await client.query(
    `INSERT INTO projection_state (name, position) VALUES ('calls', $1)
         ON CONFLICT (name) DO UPDATE SET position = greatest(projection_state.position, excluded.position)`,
    [seq],
  );
}
