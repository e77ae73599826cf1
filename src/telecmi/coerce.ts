import { exceedsDepth } from './limits.js';

/**
 * Coercions from TeleCMI's loosely typed values to one type each (docs/telecmi-payloads.md §9).
 * Every function takes `unknown` and returns `null` when the value cannot mean what the field means.
 */

const SEPARATORS = /[\s\-().+]/g;

/**
 * A phone number as a digit string. Numbers become their integer digits; strings keep a leading zero and lose
 * `+`, spaces, dashes, dots and brackets. A string that is not a number once those are removed (a masked
 * `989xxxxx`, a SIP URI) is kept as sent, trimmed, rather than turned into a wrong number.
 */
export function toDigits(value: unknown): string | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // Phone numbers are at most 15 digits (E.164), below 2^53, so the JSON number is exact.
    return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const digits = trimmed.replace(SEPARATORS, '');
  return /^\d+$/.test(digits) ? digits : trimmed;
}

/** A non-empty trimmed string; numbers become their decimal text. */
export function toText(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value))
    return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  return null;
}

/** A lower-cased {@link toText}. */
export function toLowerText(value: unknown): string | null {
  return toText(value)?.toLowerCase() ?? null;
}

/** `true`, `"true"`, `1`, `"1"`, `"yes"` → true; `false`, `"false"`, `0`, `"0"`, `"no"` → false (§9.4). */
export function toFlag(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  if (typeof value !== 'string') return null;
  switch (value.trim().toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'no':
      return false;
    default:
      return null;
  }
}

/** A finite number from a number or a numeric string (400 digits are not finite: null). */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return null;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : null;
}

/** Epoch values below this are seconds, not milliseconds (1e11 ms is 1973; 1e11 s is the year 5138). */
const SECONDS_LIMIT = 1e11;

/**
 * Epoch milliseconds from epoch seconds or milliseconds (told apart by magnitude: PIOPIY `start_time` is in
 * seconds, `time` in milliseconds, §9.6), from their string forms, or from an ISO 8601 date.
 */
export function toEpochMs(value: unknown): number | null {
  const number = toNumber(value);
  if (number !== null) {
    if (number <= 0) return null;
    return Math.round(number < SECONDS_LIMIT ? number * 1000 : number);
  }
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    const parsed = Date.parse(value.trim());
    return Number.isNaN(parsed) ? null : parsed;
  }
  return null;
}

/**
 * A field that holds JSON text (`custom`, `extra_params`, `ws_status`): parsed when it is a JSON object or
 * array, else kept as the string sent, because TeleCMI's own samples contain invalid JSON there (§9.5). JSON
 * nested deeper than `LIMITS.maxDepth` is kept as the string too (see {@link readJsonText}).
 */
export function toJsonValue(value: unknown): unknown {
  return readJsonText(value).value;
}

/**
 * {@link toJsonValue}, telling also whether the text was JSON too deep to parse into the event: such a value is
 * kept as the opaque string sent rather than refused, since TeleCMI passes `custom` on from the customer.
 */
export function readJsonText(value: unknown): { value: unknown; isTooDeep: boolean } {
  if (value === undefined || value === null) return { value: null, isTooDeep: false };
  if (typeof value !== 'string') return { value, isTooDeep: false };
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed) as unknown;
    } catch {
      return { value, isTooDeep: false };
    }
    return exceedsDepth(parsed) ? { value, isTooDeep: true } : { value: parsed, isTooDeep: false };
  }
  return { value, isTooDeep: false };
}
