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

/** How long a bucket of each unit is at most (a day is 23 to 25 hours). */
const UNIT_MS = { '15min': 900_000, hour: 3600_000, day: 36 * 3600_000 } as const;

/** The local quarter hours, hours or days that overlap [from, to), in order. */
export function bucketsOf(
  from: number,
  to: number,
  unit: 'hour' | 'day' | '15min',
  timeZone: string,
): Bucket[] {
  const buckets: Bucket[] = [];
  const startOf = (ms: number): number =>
    unit === 'day'
      ? startOfDay(ms, timeZone)
      : unit === 'hour'
        ? hourStart(ms, timeZone)
        : quarterStart(ms, timeZone);
  let start = startOf(from);
  while (start < to && buckets.length < 100_000) {
    const t = localTime(start, timeZone);
    const date = `${t.year}-${pad(t.month)}-${pad(t.day)}`;
    buckets.push({
      start,
      label: unit === 'day' ? date : `${date}T${pad(t.hour)}:${pad(unit === 'hour' ? 0 : t.minute)}`,
    });
    const following = startOf(start + (unit === 'day' ? UNIT_MS.day : UNIT_MS[unit] + 1));
    // A repeated wall-clock hour (clocks going back) must not bring the same start again.
    start = following > start ? following : start + UNIT_MS[unit];
  }
  return buckets;
}

/**
 * The periods of [from, to) between two local times of day (minutes after midnight, `startMinute` < `endMinute`),
 * every day: business hours, as instants in the zone's time, daylight-saving changes included.
 */
export function dailyWindows(
  from: number,
  to: number,
  startMinute: number,
  endMinute: number,
  timeZone: string,
): { start: number; end: number }[] {
  const windows: { start: number; end: number }[] = [];
  for (let day = startOfDay(from, timeZone); day < to && windows.length < 100_000;) {
    const t = localTime(day, timeZone);
    const at = (minute: number): number =>
      instantOf(
        { year: t.year, month: t.month, day: t.day, hour: Math.floor(minute / 60), minute: minute % 60 },
        timeZone,
      );
    const start = Math.max(from, at(startMinute));
    const end = Math.min(to, at(endMinute));
    if (start < end) windows.push({ start, end });
    day = startOfDay(day + UNIT_MS.day, timeZone);
  }
  return windows;
}

function quarterStart(ms: number, timeZone: string): number {
  const t = localTime(ms, timeZone);
  return instantOf(
    { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute - (t.minute % 15) },
    timeZone,
  );
}

function hourStart(ms: number, timeZone: string): number {
  const t = localTime(ms, timeZone);
  return instantOf({ year: t.year, month: t.month, day: t.day, hour: t.hour }, timeZone);
}
