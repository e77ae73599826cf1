import type { Database } from 'better-sqlite3';

import type { StoredEvent } from '../../store.js';

/**
 * Events the fold cannot fold (see Store.recordFoldFailure). On SQLite the projection's position is a watermark:
 * marking the next event moves it past that event, in the calls' file, in one transaction.
 */
export function prepareFoldFailures(callsDb: Database) {
  const position = callsDb.prepare("SELECT position FROM projection_state WHERE name = 'calls'").pluck();
  const insert =
    callsDb.prepare(`INSERT INTO fold_failures (seq, event_id, failed_at, reason) VALUES (?, ?, ?, ?)
    ON CONFLICT (seq) DO UPDATE SET failed_at = excluded.failed_at, reason = excluded.reason`);
  const savePosition = callsDb.prepare(`INSERT INTO projection_state (name, position) VALUES ('calls', ?)
    ON CONFLICT (name) DO UPDATE SET position = excluded.position`);
  const record = callsDb.transaction((event: StoredEvent, reason: string, at: number): void => {
    const seq = Number(event.cursor);
    const folded = (position.get() as number | undefined) ?? 0;
    if (seq <= folded) return;
    // Past any other event, the watermark would skip events that were never tried.
    if (seq !== folded + 1)
      throw new Error(`event ${seq} is not the next to fold (the position is ${folded})`);
    insert.run(seq, event.id, at, reason);
    savePosition.run(seq);
  });
  return {
    record: (event: StoredEvent, reason: string, at: number): void => record.immediate(event, reason, at),
  };
}
