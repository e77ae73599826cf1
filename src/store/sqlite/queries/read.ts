import { EVENT_COLUMNS } from '../../stored-event.js';

export { EVENT_COLUMNS, type EventRow, toEvent } from '../../stored-event.js';

/**
 * The events of a call (parameter: its row's id in the calls file), in store order, as the fold reads them. Each
 * link of the call keeps the seqs of the events whose own call key is that id (`call_links.event_seqs`, written by
 * the fold), so a merge, which relinks the ids, moves their events with them. The events table has no index on
 * its call key: a TeleCMI id lands at a random place in an index, and that index was most of an event's insert
 * (bench/README.md, `npm run bench:insert`).
 */
export const EVENTS_OF_CALL = `SELECT ${EVENT_COLUMNS.split(', ')
  .map((column) => `e.${column}`)
  .join(', ')}
  FROM call_links l, json_each(l.event_seqs) j JOIN events e ON e.seq = j.value
  WHERE l.call_id = ? ORDER BY e.seq`;
