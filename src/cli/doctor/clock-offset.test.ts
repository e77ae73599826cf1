import { describe, expect, it } from 'vitest';

import { estimateClockOffset, LIVE_SPREAD_MS } from './clock-offset.js';

const HOUR = 3_600_000;

describe('estimateClockOffset', () => {
  it("takes the live events' difference, however many replayed payloads with old times outnumber them", () => {
    const live = [800, 1200, 950, 1100, 1_000];
    // A replay of yesterday: received in one burst, TeleCMI times spread over the day.
    const replayed = Array.from({ length: 12 }, (_, i) => 20 * HOUR + i * HOUR);
    expect(estimateClockOffset([...replayed, ...live])).toEqual({ offsetMs: 1000, live: 5, of: 17 });
  });

  it('finds a clock that is behind: live events arrive before their TeleCMI time', () => {
    const live = [-300_000, -299_000, -298_500, -301_000];
    expect(estimateClockOffset([...live, 5 * HOUR, 9 * HOUR])?.offsetMs).toBe(-299_000);
  });

  it('prefers the lowest of equally dense clusters: a re-sent payload can only look older, never newer', () => {
    expect(estimateClockOffset([2000, 2500, 4 * HOUR, 4 * HOUR + 100])?.offsetMs).toBe(2500);
  });

  it('answers null when no cluster holds a quarter of the events (only replays, or nothing)', () => {
    expect(estimateClockOffset([])).toBeNull();
    const spread = Array.from({ length: 10 }, (_, i) => i * (LIVE_SPREAD_MS + 1));
    expect(estimateClockOffset(spread)).toBeNull();
  });

  it('reads a single event as it is', () => {
    expect(estimateClockOffset([4000])).toEqual({ offsetMs: 4000, live: 1, of: 1 });
  });
});
