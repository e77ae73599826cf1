import { Readable } from 'node:stream';

import type { Call, CallFilter, CallQuery, Store } from '../store/index.js';

/** The columns of the CSV export, in order. */
export const CSV_COLUMNS = [
  'key',
  'direction',
  'state',
  'outcome',
  'startedAt',
  'answeredAt',
  'endedAt',
  'waitedSec',
  'talkSec',
  'from',
  'to',
  'virtualNumber',
  'team',
  'ivr',
  'answeredBy',
  'placedBy',
  'agents',
  'recording',
  'voicemail',
  'hangupReason',
  'eventCount',
] as const;

/** The largest time a Date holds (±100,000,000 days around 1970), in ms. */
const MAX_DATE_MS = 8.64e15;
/**
 * A time as ISO 8601, or empty: a call stored with an absurd time (by a version before times were bounded, until
 * `telehook rebuild`) would make toISOString throw in the middle of the stream and cut the download.
 */
const iso = (ms: number | null): string =>
  ms === null || !(Math.abs(ms) <= MAX_DATE_MS) ? '' : new Date(ms).toISOString();

/** Characters that make a cell quoted. */
const NEEDS_QUOTES = /[",\r\n]/;
/** First characters (= + - @ tab CR) with which a spreadsheet would run the text as a formula. */
const FORMULA_START = new Set([61, 43, 45, 64, 9, 13]);

/** One CSV cell: quoted when needed; text that a spreadsheet would run as a formula is defused with a quote. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  // A number never needs quotes, and a negative one is a number to a spreadsheet, not a formula.
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.has(value.charCodeAt(0)) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(call: Call): string {
  const values: (string | number | null)[] = [
    call.key,
    call.direction,
    call.state,
    call.outcome,
    iso(call.startedAt),
    iso(call.answeredAt),
    iso(call.endedAt),
    call.waitedSec,
    call.talkSec,
    call.from,
    call.to,
    call.virtualNumber,
    call.team,
    call.ivr,
    call.answeredBy,
    call.placedBy,
    call.agents.map((leg) => `${leg.agent}${leg.answered ? '' : ' (no answer)'}`).join('; '),
    call.recording,
    call.voicemail,
    call.hangupReason,
    call.eventCount,
  ];
  let row = cell(values[0] ?? null);
  for (let index = 1; index < values.length; index += 1) row += `,${cell(values[index] ?? null)}`;
  return `${row}\r\n`;
}

/** What an export lists: the calls of a filter, by default oldest first. */
export type ExportQuery = CallFilter & Pick<CallQuery, 'sort' | 'order'>;

/** Every call matching the filter, in its order, read in keyset pages: constant memory however many calls. */
async function* scanCalls(store: Store, query: ExportQuery, pageSize = 2000): AsyncGenerator<Call[]> {
  let after: string | null = null;
  do {
    const page = await store.listCalls({ ...query, order: query.order ?? 'asc', limit: pageSize, after });
    if (page.items.length > 0) yield page.items;
    after = page.next;
  } while (after !== null);
}

/** The export as a stream of text chunks (one per page) in CSV or NDJSON. */
export function exportStream(store: Store, query: ExportQuery, format: 'csv' | 'ndjson'): Readable {
  return Readable.from(
    (async function* () {
      if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
      if (format === 'csv') {
        for await (const calls of scanCalls(store, query)) {
          let chunk = '';
          for (const call of calls) chunk += csvRow(call);
          yield chunk;
        }
        return;
      }
      // NDJSON passes the stored records on as they are: no parsing, no serialising.
      let after: string | null = null;
      do {
        const page = await store.listCallRecords({
          ...query,
          order: query.order ?? 'asc',
          limit: 2000,
          after,
        });
        if (page.items.length > 0) yield `${page.items.join('\n')}\n`;
        after = page.next;
      } while (after !== null);
    })(),
  );
}
