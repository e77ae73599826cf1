import { readJsonText, toEpochMs, toNumber } from './coerce.js';
import { LIMITS } from './limits.js';

type Payload = Readonly<Record<string, unknown>>;

/** Reads one field of a payload as text (toText, toDigits, …). */
type TextReader = (value: unknown) => string | null;

const TIME_RANGE = `a time from ${new Date(LIMITS.earliestMs).toISOString().slice(0, 10)} to ${new Date(
  LIMITS.latestMs,
)
  .toISOString()
  .slice(0, 10)}`;

/**
 * Reads the fields of a payload within {@link LIMITS}, and notes in `warnings` every value sent that is not kept:
 * a duration or a time out of range (negative, beyond a day, before 2000, after 2100, not finite), a text too
 * long, JSON text too deep. Such a value is read as null (or, for JSON text, kept as the string) and the raw body
 * keeps it as sent; the payload is never refused for it.
 *
 * @example
 * const warnings: string[] = [];
 * createBoundedReader({ waitedsec: 1e308 }, warnings).seconds('waitedsec'); // null
 * warnings; // ['/waitedsec: 1e+308 is not a duration from 0 to 86400 seconds; read as null']
 */
export function createBoundedReader(payload: Payload, warnings: string[]) {
  const refuse = (key: string, value: unknown, why: string): null => {
    // Only the documented types: another type already has its warning from the payload schema.
    if (typeof value === 'number' || typeof value === 'string')
      warnings.push(`/${key}: ${shown(value)} is not ${why}; read as null`);
    return null;
  };
  return {
    /** A duration in seconds, from 0 to a day. */
    seconds(key: string): number | null {
      const value = payload[key];
      if (isUnset(value)) return null;
      const seconds = toNumber(value);
      if (seconds !== null && seconds >= 0 && seconds <= LIMITS.maxSeconds) return seconds;
      return refuse(key, value, `a duration from 0 to ${LIMITS.maxSeconds} seconds`);
    },

    /** A time, epoch milliseconds, from 2000-01-01 (inclusive) to 2100-01-01 (exclusive). */
    epochMs(key: string): number | null {
      const value = payload[key];
      // 0 is how an unset time reads (as PIOPIY's missed calls send duration 0), not an error.
      if (isUnset(value) || toNumber(value) === 0) return null;
      const ms = toEpochMs(value);
      if (ms !== null && ms >= LIMITS.earliestMs && ms < LIMITS.latestMs) return ms;
      return refuse(key, value, TIME_RANGE);
    },

    /** A text field, null when longer than `max` characters. */
    text(key: string, read: TextReader, max: number = LIMITS.maxTextLength): string | null {
      const text = read(payload[key]);
      if (text === null || text.length <= max) return text;
      warnings.push(`/${key}: ${text.length} characters, more than ${max}; read as null`);
      return null;
    },

    /** A JSON-in-string field; JSON nested too deep is kept as the string sent. */
    json(key: string): unknown {
      const { value, isTooDeep } = readJsonText(payload[key]);
      if (isTooDeep)
        warnings.push(
          `/${key}: JSON nested more than ${LIMITS.maxDepth} levels deep; kept as the string sent`,
        );
      return value;
    },
  };
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** The value in a warning: short, so that a 400-digit number does not make a 400-character warning. */
function shown(value: number | string): string {
  if (typeof value === 'number') return String(value);
  const trimmed = value.trim();
  return JSON.stringify(trimmed.length > 24 ? `${trimmed.slice(0, 24)}…` : trimmed);
}
