/**
 * Calendar arithmetic in an IANA time zone, with the platform's Intl data: local midnights and hour starts as
 * epoch milliseconds, daylight-saving changes included. Formatters are cached per zone (they are costly to make).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in a zone at an instant. */
export function localTime(ms: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts['year']!,
    month: parts['month']!,
    day: parts['day']!,
    hour: parts['hour']!,
    minute: parts['minute']!,
    second: parts['second']!,
  };
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  const t = localTime(ms, timeZone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The instant at which the zone's clocks show a given wall-clock time (the earlier one when it repeats). */
export function instantOf(
  local: Omit<LocalTime, 'second' | 'minute'> & { minute?: number },
  timeZone: string,
): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute ?? 0);
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone);
  return guess;
}

/** Local midnight of the day that contains `ms`. */
export function startOfDay(ms: number, timeZone: string): number {
  const t = localTime(ms, timeZone);
  return instantOf({ year: t.year, month: t.month, day: t.day, hour: 0 }, timeZone);
}

/** A bucket of a period: its start instant and its local label (YYYY-MM-DD or YYYY-MM-DDTHH:00). */
export interface Bucket {
  readonly start: number;
  readonly label: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The local hours or days that overlap [from, to), in order. */
export function bucketsOf(from: number, to: number, unit: 'hour' | 'day', timeZone: string): Bucket[] {
  const buckets: Bucket[] = [];
  let start = unit === 'day' ? startOfDay(from, timeZone) : hourStart(from, timeZone);
  while (start < to && buckets.length < 100_000) {
    const t = localTime(start, timeZone);
    const date = `${t.year}-${pad(t.month)}-${pad(t.day)}`;
    buckets.push({ start, label: unit === 'day' ? date : `${date}T${pad(t.hour)}:00` });
    start =
      unit === 'day'
        ? startOfDay(start + 36 * 3600_000, timeZone)
        : hourStart(start + 3600_000 + 1, timeZone);
  }
  return buckets;
}

function hourStart(ms: number, timeZone: string): number {
  const t = localTime(ms, timeZone);
  return instantOf({ year: t.year, month: t.month, day: t.day, hour: t.hour }, timeZone);
}
