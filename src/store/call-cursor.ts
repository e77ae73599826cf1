import { QueryError } from '../errors.js';
import type { Call } from './call-record.js';

/** A calls cursor: the start time and key of the last call of a page, opaque to clients. */
export const encodeCallCursor = (call: Pick<Call, 'startedAt' | 'key'>): string =>
  Buffer.from(`${call.startedAt}:${call.key}`, 'utf8').toString('base64url');

export function decodeCallCursor(cursor: string): { startedAt: number; key: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const at = text.indexOf(':');
  const startedAt = Number(text.slice(0, at));
  if (at < 1 || !Number.isSafeInteger(startedAt))
    throw new QueryError('after', 'a cursor: the "next" of the previous page');
  return { startedAt, key: text.slice(at + 1) };
}
