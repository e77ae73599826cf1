/**
 * How far apart the receipt-minus-TeleCMI-time differences of live deliveries fall: TeleCMI sends within seconds,
 * and retries within a minute, so live events share one difference (the clock's offset) to within this.
 */
export const LIVE_SPREAD_MS = 60_000;

/** The live cluster must hold at least this share of the events, else the day's events cannot tell the clock. */
export const LIVE_SHARE = 0.25;

/** The clock's offset from TeleCMI's (plus the usual delivery delay) and how many events it rests on. */
export interface ClockEstimate {
  readonly offsetMs: number;
  /** Events in the live cluster. */
  readonly live: number;
  /** Events looked at. */
  readonly of: number;
}

/**
 * Estimates the clock's offset from `differences` (receipt time minus TeleCMI's time, one per webhook event): the
 * median of the densest cluster of differences within {@link LIVE_SPREAD_MS}, the lowest of equal ones. Not the
 * median of all: a payload re-sent by `telehook replay` or `send`, or replayed by TeleCMI, carries its old time, so
 * its difference is its age (hours, days) and a busy replay outnumbers a quiet day's live calls. Such differences
 * are spread over the replayed period and never cluster, whereas live ones do. Null when no cluster holds
 * {@link LIVE_SHARE} of the events.
 *
 * @example
 * estimateClockOffset([1200, 900, 86_400_000, 3_600_000, 1100]); // { offsetMs: 1100, live: 3, of: 5 }
 */
export function estimateClockOffset(differences: readonly number[]): ClockEstimate | null {
  const sorted = [...differences].sort((a, b) => a - b);
  let best = { from: 0, count: 0 };
  for (let from = 0, to = 0; to < sorted.length; to++) {
    while (sorted[to]! - sorted[from]! > LIVE_SPREAD_MS) from++;
    if (to - from + 1 > best.count) best = { from, count: to - from + 1 };
  }
  if (best.count === 0 || best.count < LIVE_SHARE * sorted.length) return null;
  const offsetMs = sorted[best.from + Math.floor(best.count / 2)]!;
  return { offsetMs, live: best.count, of: sorted.length };
}
