import type { BusinessWeek } from '../config.js';
import { instantOf } from '../time-zone.js';

/** When the centre is open: weekly hours and holidays in its time zone (TELEHOOK_BUSINESS_HOURS, TELEHOOK_HOLIDAYS). */
export interface BusinessCalendar {
  /** Whether the centre is open at an instant. */
  isOpen(at: number): boolean;
  /** How many ms of [from, to) fall in business hours: the clock of a rule that only counts them. */
  openMsBetween(from: number, to: number): number;
  /** The open periods within [from, to), in order, cut to it: what a report "in business hours only" counts. */
  openPeriods(from: number, to: number): { start: number; end: number }[];
}

const DAY_MS = 86_400_000;
/** Business time further back than this is never needed (every threshold is shorter), so it is not walked. */
const LOOK_BACK_MS = 400 * DAY_MS;

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * A calendar over local days: each day's ranges become instants with the zone's offset of that day, so that a
 * daylight-saving change moves business hours with the clocks on the wall.
 *
 * @example
 * const calendar = createBusinessCalendar({ timezone: 'Asia/Kolkata', hours: config.businessHours, holidays: [] });
 * calendar.openMsBetween(Date.parse('2026-12-07T03:00:00Z'), Date.parse('2026-12-07T05:00:00Z')); // 2 h from 09:00 IST
 */
export function createBusinessCalendar(options: {
  readonly timezone: string;
  readonly hours: BusinessWeek;
  readonly holidays: readonly string[];
}): BusinessCalendar {
  const holidays = new Set(options.holidays);
  const local = new Intl.DateTimeFormat('en-CA', {
    timeZone: options.timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const dateOf = (at: number): { year: number; month: number; day: number } => {
    const [year, month, day] = local.format(new Date(at)).split('-').map(Number);
    return { year: year!, month: month!, day: day! };
  };

  /** The open intervals of one local date, as instants. */
  const intervalsOf = (year: number, month: number, day: number): [number, number][] => {
    if (holidays.has(`${year}-${pad(month)}-${pad(day)}`)) return [];
    const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
    const at = (minutes: number): number => {
      if (minutes < 1440)
        return instantOf(
          { year, month, day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
          options.timezone,
        );
      const next = new Date(Date.UTC(year, month - 1, day + 1));
      return instantOf(
        { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0 },
        options.timezone,
      );
    };
    return (options.hours[weekday] ?? []).map((range) => [at(range.from), at(range.to)]);
  };

  /** The open periods of every local date from the one of `from` (and the day before) up to `to`, cut to it. */
  const periodsBetween = (from: number, to: number): { start: number; end: number }[] => {
    const periods: { start: number; end: number }[] = [];
    if (!(to > from)) return periods;
    const first = dateOf(from);
    // A day earlier too: a range may belong to the day before in UTC terms.
    for (let offset = -1; ; offset += 1) {
      const date = new Date(Date.UTC(first.year, first.month - 1, first.day + offset));
      const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
      if (instantOf({ year, month, day, hour: 0 }, options.timezone) >= to) break;
      for (const [open, close] of intervalsOf(year, month, day)) {
        const start = Math.max(open, from);
        const end = Math.min(close, to);
        if (start < end) periods.push({ start, end });
      }
    }
    return periods;
  };

  const openMsBetween = (from: number, to: number): number =>
    periodsBetween(Math.max(from, to - LOOK_BACK_MS), to).reduce(
      (total, period) => total + period.end - period.start,
      0,
    );

  return { isOpen: (at) => openMsBetween(at, at + 1) > 0, openMsBetween, openPeriods: periodsBetween };
}
