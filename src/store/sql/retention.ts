import sql, { join, raw } from 'sql-template-tag';

import type { NumberBatch, NumberChange, NumberData, RetainedData } from '../store.js';
import type { Dialect } from './dialect.js';
import { noteNumbersMasked, NUMBER_TABLES, textOf } from './number-masking.js';
import { all, type Program, run } from './program.js';

/**
 * Deletes at most `limit` rows of one kind older than `before` (epoch ms), oldest first; returns how many. Small
 * batches keep each transaction, and so each hold of a write lock, short: ingest commits between them.
 */
export function* pruneBatch(d: Dialect, data: RetainedData, before: number, limit: number): Program<number> {
  switch (data) {
    case 'events':
    case 'quarantine':
      return yield* run(sql`DELETE FROM ${raw(data)} WHERE seq IN (SELECT seq FROM ${raw(data)}
        WHERE received_at < ${before} ORDER BY received_at LIMIT ${limit})`);
    // A pending delivery is kept whatever its age: it is still to be sent. Attempts go with their delivery.
    case 'deliveries':
      return yield* run(sql`DELETE FROM deliveries WHERE seq IN (SELECT seq FROM deliveries
        WHERE status <> 'pending' AND created_at < ${before} ORDER BY seq LIMIT ${limit})`);
    case 'calls': {
      // Only ended calls; started before the cut too, so that the start-time index finds them.
      const ids = (yield* all<{ id: string | number }>(sql`SELECT ${raw(d.callId)} AS id FROM calls
          WHERE started_at < ${before} AND last_event_at < ${before} AND state = 'ended'
          ORDER BY started_at LIMIT ${limit}`)).map((row) => row.id);
      if (ids.length === 0) return 0;
      const type = d.callId === 'id' ? 'bigint' : 'text';
      yield* run(sql`DELETE FROM call_links WHERE ${d.anyOf(d.callRef, ids, type)}`);
      yield* run(sql`DELETE FROM call_agents WHERE ${d.anyOf(d.callRef, ids, type)}`);
      return yield* run(sql`DELETE FROM calls WHERE ${d.anyOf(d.callId, ids, type)}`);
    }
  }
}

/**
 * The number as a whole token: not part of a longer run of digits (a time, another number). Digits are ASCII, so
 * the bytes are read as latin1: every other byte, valid UTF-8 or not, is written back unchanged.
 */
const tokenOf = (number: string): RegExp => new RegExp(`(?<![0-9])${number}(?![0-9])`, 'g');

/**
 * Replaces a phone number in the rows of one kind after `after` (at most `limit` rows read): the raw bytes of events
 * and quarantined requests, deliveries' payloads, calls' records and number columns, alerts' texts, follow-up actions. Ids, times and outcomes are not
 * touched, so no call is merged or split and every figure stays what it was. Rows are read in key order, since a
 * row may hold the digits only inside a longer number, and is then left as it is.
 */
export function* replaceNumberBatch(
  d: Dialect,
  data: NumberData,
  change: NumberChange,
  after: string | null,
  limit: number,
): Program<NumberBatch> {
  const table = NUMBER_TABLES[data];
  const key = data === 'calls' ? d.callId : 'seq';
  // Not while a fold writes calls from events it read before the events' batches of this change (calls-writes.ts).
  if (data === 'calls' && d.lockProjection) yield* run(d.lockProjection);
  const needle = table.bytes ? Buffer.from(change.number, 'latin1') : change.number;
  const holds = join(
    table.columns.map((column) => d.contains(column, needle)),
    ' OR ',
  );
  const older = change.before === undefined ? sql`` : sql` AND ${raw(table.time)} < ${change.before}`;
  const from = after === null ? sql`` : sql` AND ${raw(key)} > ${after}`;
  const rows = yield* all<{ k: string | number } & Record<string, Uint8Array | string>>(
    sql`SELECT ${raw(key)} AS k, ${raw(table.columns.join(', '))} FROM ${raw(table.table)}
      WHERE (${holds})${older}${from} ORDER BY ${raw(key)} LIMIT ${limit}`,
  );
  const token = tokenOf(change.number);
  let changed = 0;
  for (const row of rows) {
    const texts = table.columns.map((column) => textOf(row[column]!));
    const masked = texts.map((text) => text.replace(token, change.replacement ?? ''));
    if (masked.every((text, i) => text === texts[i])) continue;
    changed += 1;
    if (change.replacement === null) continue;
    const values = masked.map((text) => (table.bytes ? Buffer.from(text, 'latin1') : text));
    if (data === 'calls') {
      const { number, replacement } = change;
      yield* run(sql`UPDATE calls SET record = ${values[0]},
        from_number = CASE WHEN from_number = ${number} THEN ${replacement} ELSE from_number END,
        to_number = CASE WHEN to_number = ${number} THEN ${replacement} ELSE to_number END,
        virtual_number = CASE WHEN virtual_number = ${number} THEN ${replacement} ELSE virtual_number END
        WHERE ${raw(key)} = ${row.k}`);
    } else {
      const sets = join(
        table.columns.map((column, i) => sql`${raw(column)} = ${values[i]}`),
        ', ',
      );
      yield* run(sql`UPDATE ${raw(table.table)} SET ${sets} WHERE seq = ${row.k}`);
    }
  }
  // Every batch of calls, changed or not: the events' batches before it may have changed events of calls whose
  // rows do not hold the number.
  if (data === 'calls' && change.replacement !== null) yield* noteNumbersMasked();
  const last = rows.at(-1);
  return { changed, next: rows.length < limit || !last ? null : String(last.k) };
}
