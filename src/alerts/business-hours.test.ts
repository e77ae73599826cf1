import { describe, expect, it } from 'vitest';

import { parseBusinessHours } from '../config.js';
import { createBusinessCalendar } from './business-hours.js';

const H = 3600_000;

describe('business calendar', () => {
  const calendar = createBusinessCalendar({
    timezone: 'Europe/London',
    hours: parseBusinessHours('Mon-Fri 09:00-13:00,14:00-18:00; Sat 10:00-12:00'),
    holidays: ['2026-12-25'],
  });

  it('lists the open periods of a span in order, cut to it, without holidays or closed days', () => {
    // Thursday 24 December 12:00 UTC to Monday 28 December 10:00 UTC (London is on UTC in winter).
    const from = Date.UTC(2026, 11, 24, 12);
    const to = Date.UTC(2026, 11, 28, 10);
    expect(calendar.openPeriods(from, to)).toEqual([
      { start: from, end: Date.UTC(2026, 11, 24, 13) },
      { start: Date.UTC(2026, 11, 24, 14), end: Date.UTC(2026, 11, 24, 18) },
      { start: Date.UTC(2026, 11, 26, 10), end: Date.UTC(2026, 11, 26, 12) },
      { start: Date.UTC(2026, 11, 28, 9), end: to },
    ]);
    expect(calendar.openMsBetween(from, to)).toBe(8 * H);
    expect(calendar.openPeriods(to, from)).toEqual([]);
  });

  it('moves the periods with the clocks on a daylight-saving day', () => {
    // Monday 30 March 2026: London is on UTC+1, so 09:00 local is 08:00 UTC.
    const periods = calendar.openPeriods(Date.UTC(2026, 2, 30), Date.UTC(2026, 2, 31));
    expect(periods[0]).toEqual({ start: Date.UTC(2026, 2, 30, 8), end: Date.UTC(2026, 2, 30, 12) });
  });
});
