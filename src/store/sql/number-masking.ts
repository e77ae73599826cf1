import sql, { join, raw } from 'sql-template-tag';

import { readCallRecord } from '../servable.js';
import type { MaskedData, NumberData, NumberMasker } from '../store.js';
import type { Dialect } from './dialect.js';
import { all, one, type Program, run } from './program.js';

/** A run of digits that is a whole token (not part of a longer run), as forget's replacement reads numbers. */
const DIGIT_RUN = /(?<![0-9])[0-9]{6,20}(?![0-9])/g;

/** `text` with each whole run of digits that is one of `numbers` replaced by its mask. */
export const maskIn = (text: string, numbers: ReadonlySet<string>, masker: NumberMasker): string =>
  numbers.size === 0
    ? text
    : text.replace(DIGIT_RUN, (digits) => (numbers.has(digits) ? masker.maskOf(digits) : digits));

/** Which write path each kind of data takes (SQLite: the events' file, or the calls' file). */
export const WRITE_PATH = {
  events: 'queue',
  deliveries: 'queue',
  quarantine: 'queue',
  calls: 'calls',
  alerts: 'queue',
  followups: 'queue',
} as const satisfies Record<NumberData, 'queue' | 'calls'>;

/** Where each kind of data holds phone numbers: its table, the columns, its time, and whether they are bytes. */
export const NUMBER_TABLES: Record<
  NumberData,
  {
    readonly table: string;
    readonly columns: readonly string[];
    readonly time: string;
    readonly bytes: boolean;
  }
> = {
  events: { table: 'events', columns: ['raw'], time: 'received_at', bytes: true },
  quarantine: { table: 'quarantine', columns: ['raw'], time: 'received_at', bytes: true },
  deliveries: { table: 'deliveries', columns: ['payload'], time: 'created_at', bytes: false },
  calls: { table: 'calls', columns: ['record'], time: 'last_event_at', bytes: false },
  // A caller's number is in an alert's text (missed-not-called-back) and is a follow-up action's key; the note
  // may repeat it.
  alerts: { table: 'alerts', columns: ['summary', 'details'], time: 'fired_at', bytes: false },
  followups: { table: 'followup_actions', columns: ['number', 'note'], time: 'at', bytes: false },
};

/** The row of projection_state that counts the maskings (its position): see noteNumbersMasked. */
export const MASKED_STATE = 'numbers_masked';

/**
 * Tells a fold that remembers calls' events between folds (SQLite's fold thread, see calls-writes.ts) that numbers
 * were rewritten under it, by whatever connection or process: in the calls' transaction that masks them, or after
 * the events' batches of the same change, so that no fold after it folds a copy from before.
 */
export function* noteNumbersMasked(): Program<void> {
  yield* run(sql`INSERT INTO projection_state (name, position) VALUES (${MASKED_STATE}, 1)
    ON CONFLICT (name) DO UPDATE SET position = projection_state.position + 1`);
}

/** Where the previous batch stopped, its row locked (PostgreSQL: processes masking at once take turns). */
function* positionOf(d: Dialect, data: MaskedData): Program<string> {
  const row = yield* one<{ position: string }>(
    sql`SELECT position FROM number_masking WHERE data = ${data}${d.forUpdate}`,
  );
  return row?.position ?? '';
}

function* savePosition(data: MaskedData, position: string): Program<void> {
  yield* run(sql`UPDATE number_masking SET position = ${position} WHERE data = ${data}`);
}

/** Bytes (events' and quarantined requests' raw) read as latin1: digits are ASCII, every other byte is kept. */
export const textOf = (value: Uint8Array | string): string =>
  typeof value === 'string' ? value : Buffer.from(value).toString('latin1');

/**
 * One batch of the masking of old numbers (see Store.maskOldNumbers): reads on from the kind's position, masks
 * the numbers the masker names in each row, and moves the position past the rows it went through.
 */
export function* maskNumbersBatch(
  d: Dialect,
  data: MaskedData,
  before: number,
  limit: number,
  masker: NumberMasker,
): Program<number> {
  const position = yield* positionOf(d, data);
  return data === 'calls'
    ? yield* maskCalls(d, position, before, limit, masker)
    : yield* maskRows(data, position, before, limit, masker);
}

function* maskCalls(
  d: Dialect,
  position: string,
  before: number,
  limit: number,
  masker: NumberMasker,
): Program<number> {
  // Not while a fold writes calls from events read before this masking (see calls-writes.ts, readMasked).
  if (d.lockProjection) yield* run(d.lockProjection);
  const colon = position.indexOf(':');
  const from =
    colon < 0
      ? sql``
      : sql` AND (started_at, key) > (${Number(position.slice(0, colon))}, ${position.slice(colon + 1)})`;
  const calls = yield* all<{
    k: string | number;
    key: string;
    started_at: number;
    last_event_at: number;
    record: string;
  }>(
    sql`SELECT ${raw(d.callId)} AS k, key, started_at, last_event_at, record FROM calls
      WHERE started_at < ${before}${from} ORDER BY started_at, key LIMIT ${limit}`,
  );
  let done = 0;
  let last: string | null = null;
  let masked = false;
  for (const call of calls) {
    // Still changing: it is masked once its last event is old too (the position does not pass it).
    if (call.last_event_at >= before) break;
    const record = readCallRecord(call.record);
    const numbers = new Set(record === null ? [] : masker.numbersOfCall(record));
    if (numbers.size > 0) {
      const events = yield* all<{ seq: number; raw: Uint8Array }>(d.eventsOfCall(call.key, 'seq, raw'));
      for (const event of events) {
        const text = textOf(event.raw);
        const masked = maskIn(text, numbers, masker);
        if (masked !== text)
          yield* run(sql`UPDATE events SET raw = ${Buffer.from(masked, 'latin1')} WHERE seq = ${event.seq}`);
      }
      const column = (name: string) =>
        sql`${raw(name)} = CASE ${join(
          [...numbers].map((number) => sql`WHEN ${raw(name)} = ${number} THEN ${masker.maskOf(number)}`),
          ' ',
        )} ELSE ${raw(name)} END`;
      yield* run(sql`UPDATE calls SET record = ${maskIn(call.record, numbers, masker)},
        ${column('from_number')}, ${column('to_number')}, ${column('virtual_number')}
        WHERE ${raw(d.callId)} = ${call.k}`);
      masked = true;
    }
    done += 1;
    last = `${call.started_at}:${call.key}`;
  }
  if (last !== null) yield* savePosition('calls', last);
  if (masked) yield* noteNumbersMasked();
  return done;
}

function* maskRows(
  data: Exclude<MaskedData, 'calls'>,
  position: string,
  before: number,
  limit: number,
  masker: NumberMasker,
): Program<number> {
  const table = NUMBER_TABLES[data];
  const from = position === '' ? sql`` : sql` WHERE seq > ${Number(position)}`;
  const rows = yield* all<{ seq: number; at: number } & Record<string, Uint8Array | string>>(
    sql`SELECT seq, ${raw(table.time)} AS at, ${raw(table.columns.join(', '))} FROM ${raw(table.table)}${from}
      ORDER BY seq LIMIT ${limit}`,
  );
  let done = 0;
  for (const row of rows) {
    // Rows come in store order, their times nearly so: one not old yet stops the batch, so none is passed over.
    if (row.at >= before) break;
    const texts = table.columns.map((column) => textOf(row[column]!));
    const numbers = new Set(
      data === 'followups' ? [texts[0]!] : texts.flatMap((text) => masker.numbersIn(text)),
    );
    const masked = texts.map((text) => maskIn(text, numbers, masker));
    if (masked.some((text, i) => text !== texts[i])) {
      const sets = join(
        table.columns.map(
          (column, i) => sql`${raw(column)} = ${table.bytes ? Buffer.from(masked[i]!, 'latin1') : masked[i]}`,
        ),
        ', ',
      );
      yield* run(sql`UPDATE ${raw(table.table)} SET ${sets} WHERE seq = ${row.seq}`);
    }
    done += 1;
  }
  const last = rows[done - 1];
  if (last) yield* savePosition(data, String(last.seq));
  return done;
}
