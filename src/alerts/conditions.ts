import type { BusinessCalendar } from './business-hours.js';
import type { Rule, RuleName } from './rules.js';

/** What the rules read of the calls; app.ts wires it to the calls service. */
export interface AlertReadings {
  /** The queue now (of one team, or all). */
  queue(
    team: string | null,
  ): Promise<{ readonly waitingNow: number; readonly longestWaitSec: number | null }>;
  /** Calls offered in [from, to) and their service level (null when nothing answered or abandoned). */
  serviceLevel(
    from: number,
    to: number,
    team: string | null,
  ): Promise<{ readonly offered: number; readonly serviceLevel: number | null }>;
  /** Inbound calls missed or abandoned in [from, to) and not called back (yet), newest first. */
  missedNotCalledBack(
    from: number,
    to: number,
    team: string | null,
  ): Promise<readonly { readonly key: string; readonly from: string | null; readonly missedAt: number }[]>;
  /** When the latest event came from TeleCMI, or null before the first. */
  latestEventAt(): Promise<number | null>;
}

/** A rule's condition now: whether it is broken, and what an alert about it says. */
export interface Condition {
  readonly isBroken: boolean;
  readonly summary: string;
  readonly details: Record<string, unknown>;
}

const HOUR = 3_600_000;
/** The service level is only judged over this many offered calls at least: a few calls swing it wildly. */
export const SERVICE_LEVEL_MIN_OFFERED = 10;
/** Missed calls older than this are not watched any more: a caller not called back in a day is a report, not an alert. */
export const MISSED_LOOK_BACK_MS = 24 * HOUR;

/** "3 min 5 s", "2 h 10 min", "45 s". */
export function describeDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60)
    return seconds % 60 === 0 || minutes >= 10 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

const inTeam = (team: string | null): string => (team === null ? '' : ` in team ${team}`);
const percent = (fraction: number): string => `${Math.round(fraction * 1000) / 10}%`;

type Check = (
  rule: Rule,
  now: number,
  readings: AlertReadings,
  calendar: BusinessCalendar,
) => Promise<Condition>;

/** Each rule's condition, as the README's table states it. */
export const CONDITIONS: Readonly<Record<RuleName, Check>> = {
  waiting: async (rule, _now, readings) => {
    const { waitingNow } = await readings.queue(rule.team);
    return {
      isBroken: waitingNow >= rule.threshold,
      summary: `${waitingNow} ${waitingNow === 1 ? 'caller' : 'callers'} waiting${inTeam(rule.team)} (alert at ${rule.threshold})`,
      details: { waitingNow, threshold: rule.threshold, team: rule.team },
    };
  },
  'longest-wait': async (rule, _now, readings) => {
    const { longestWaitSec } = await readings.queue(rule.team);
    const waitedMs = (longestWaitSec ?? 0) * 1000;
    return {
      isBroken: longestWaitSec !== null && waitedMs >= rule.threshold,
      summary: `A caller has waited ${describeDuration(waitedMs)}${inTeam(rule.team)} (alert at ${describeDuration(rule.threshold)})`,
      details: { longestWaitSec, thresholdSec: rule.threshold / 1000, team: rule.team },
    };
  },
  'service-level': async (rule, now, readings) => {
    const { offered, serviceLevel } = await readings.serviceLevel(now - HOUR, now, rule.team);
    return {
      isBroken:
        offered >= SERVICE_LEVEL_MIN_OFFERED && serviceLevel !== null && serviceLevel < rule.threshold,
      summary: `Service level ${serviceLevel === null ? 'unknown' : percent(serviceLevel)} over the last hour${inTeam(rule.team)}, ${offered} calls offered (alert below ${percent(rule.threshold)})`,
      details: { serviceLevel, offered, threshold: rule.threshold, team: rule.team },
    };
  },
  'missed-not-called-back': async (rule, now, readings, calendar) => {
    const missed = await readings.missedNotCalledBack(now - MISSED_LOOK_BACK_MS, now, rule.team);
    // Each caller's wait for a call back counts business hours only: a call missed at 17:55 is late at 09:25.
    const late = missed.filter((call) => calendar.openMsBetween(call.missedAt, now) >= rule.threshold);
    const oldest = late.at(-1);
    return {
      isBroken: late.length > 0,
      summary:
        oldest === undefined
          ? `Every missed caller${inTeam(rule.team)} was called back within ${describeDuration(rule.threshold)}`
          : `${late.length} missed ${late.length === 1 ? 'caller' : 'callers'}${inTeam(rule.team)} not called back within ${describeDuration(rule.threshold)} (the longest waiting: ${oldest.from ?? 'unknown number'})`,
      details: {
        count: late.length,
        thresholdSec: rule.threshold / 1000,
        team: rule.team,
        calls: late.slice(0, 20).map((call) => ({ key: call.key, from: call.from, missedAt: call.missedAt })),
      },
    };
  },
  silence: async (rule, now, readings, calendar) => {
    const last = await readings.latestEventAt();
    // Never an event: silent since... nothing to measure from, so the rule waits for the first event.
    const silentMs = last === null ? 0 : calendar.openMsBetween(last, now);
    return {
      isBroken: last !== null && silentMs >= rule.threshold,
      summary:
        last === null
          ? 'No event from TeleCMI yet'
          : `No events from TeleCMI for ${describeDuration(now - last)}`,
      details: {
        lastEventAt: last,
        silentBusinessSec: Math.round(silentMs / 1000),
        thresholdSec: rule.threshold / 1000,
      },
    };
  },
};
