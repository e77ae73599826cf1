import sql, { raw } from 'sql-template-tag';

import type { StoredEvent } from '../store.js';
import type { Dialect } from './dialect.js';
import { type Program, run } from './program.js';

/**
 * Marks an event the fold cannot fold (see Store.recordFoldFailure), if `isToFold` says it is still to fold (and
 * takes it off what is to fold), and moves the projection's position past it (a position never goes back).
 */
export function* recordFoldFailure(
  d: Dialect,
  event: StoredEvent,
  reason: string,
  at: number,
  isToFold: (seq: number) => Program<boolean>,
): Program<void> {
  const seq = Number(event.cursor);
  if (!(yield* isToFold(seq))) return;
  yield* run(sql`INSERT INTO fold_failures (seq, event_id, failed_at, reason) VALUES (${seq}, ${event.id}, ${at}, ${reason})
    ON CONFLICT (seq) DO UPDATE SET failed_at = excluded.failed_at, reason = excluded.reason`);
  yield* run(sql`INSERT INTO projection_state (name, position) VALUES ('calls', ${seq})
    ON CONFLICT (name) DO UPDATE SET position = ${raw(d.greatest)}(projection_state.position, excluded.position)`);
}
