import { QueryError } from '../errors.js';
import type { Call } from './call-record.js';
import { CALL_SORTS, type CallSort } from './store.js';

/** The value a call sorts by (a number or text; a call without one sorts by -1 or the empty text). */
export type CallSortValue = string | number;

const INVALID = 'a cursor: the "next" of the previous page, with the same sort';

/**
 * A calls cursor, opaque to clients: by start time, `<start>:<key>` (as every version wrote it, so that links
 * kept from before the sorts still work); by another column, `<sort>:` and the JSON of [value, start, key].
 */
export const encodeCallCursor = (call: Pick<Call, 'startedAt' | 'key'>): string =>
  Buffer.from(`${call.startedAt}:${call.key}`, 'utf8').toString('base64url');

/** The cursor after a call of a list sorted by `sort`, `value` being what the call sorts by. */
export function encodeSortedCallCursor(
  sort: CallSort,
  last: { value: CallSortValue; startedAt: number; key: string },
): string {
  if (sort === 'started') return encodeCallCursor(last);
  const text = `${sort}:${JSON.stringify([last.value, Number(last.startedAt), last.key])}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function decodeCallCursor(cursor: string): { startedAt: number; key: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const at = text.indexOf(':');
  const startedAt = Number(text.slice(0, at));
  if (at < 1 || !Number.isSafeInteger(startedAt)) throw new QueryError('after', INVALID);
  return { startedAt, key: text.slice(at + 1) };
}

/** A cursor of a list sorted by `sort`; one of another sort is refused rather than read as a wrong position. */
export function decodeSortedCallCursor(
  sort: CallSort,
  cursor: string,
): { value: CallSortValue | null; startedAt: number; key: string } {
  if (sort === 'started') return { value: null, ...decodeCallCursor(cursor) };
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const at = text.indexOf(':');
  if (text.slice(0, at) !== sort || !(CALL_SORTS as readonly string[]).includes(sort))
    throw new QueryError('after', INVALID);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(at + 1));
  } catch {
    throw new QueryError('after', INVALID);
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw new QueryError('after', INVALID);
  const [value, startedAt, key] = parsed as unknown[];
  const numeric = sort === 'waited' || sort === 'talked';
  if (
    !(numeric ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string') ||
    !Number.isSafeInteger(startedAt) ||
    typeof key !== 'string'
  )
    throw new QueryError('after', INVALID);
  return { value: value as CallSortValue, startedAt: startedAt as number, key };
}
