import { QueryError } from '../errors.js';
import type { Call, CallSummary, Store, StoredEvent } from '../store/index.js';
import { bucketsOf, dailyWindows, startOfDay } from '../time-zone.js';
import { byTelecmiTime } from './event-order.js';
import {
  agentFiguresFrom,
  bucketFigures,
  computeNow,
  DEFINITIONS,
  figuresFrom,
  type MetricParameters,
  teamFigures,
} from './metrics.js';
import type { CallProjection } from './projection.js';

export type GroupBy = 'team' | 'agent' | 'hour' | 'day' | '15min';

/**
 * The most hours or days a grouped period may hold: each is a query parameter of the summary, and SQLite takes
 * at most 32,766 of them (a longer period was a 503).
 */
const MAX_BUCKETS = 10_000;
const BUCKET_MS = { '15min': 900_000, hour: 3600_000, day: 86_400_000 } as const;

export interface StatsQuery {
  readonly from?: number;
  readonly to?: number;
  readonly team?: string;
  readonly agent?: string;
  readonly groupBy?: GroupBy;
  readonly timezone?: string;
  readonly serviceLevelSec?: number;
  readonly shortAbandonSec?: number;
  /**
   * Only calls that started in business hours: 'business' for the centre's (TELEHOOK_BUSINESS_HOURS, holidays and
   * time zone, as the alert rules count them), or the same local times every day (minutes after midnight).
   */
  readonly hours?: ReportHours;
}

/** A report's business hours: the centre's calendar, or the same local times every day. */
export type ReportHours = 'business' | DailyHours;

/** A part of every day, local time: from `startMinute` (included) to `endMinute` (excluded) after midnight. */
export interface DailyHours {
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface RepeatCallersQuery {
  readonly from?: number;
  readonly to?: number;
  readonly team?: string;
  readonly agent?: string;
  readonly timezone?: string;
  readonly hours?: ReportHours;
  readonly minCalls?: number;
  readonly limit?: number;
}

/**
 * What the API and the wallboard ask of calls: metrics over a period with their definitions, a call with its
 * timeline. Reads wait until the projection has folded every event committed before them (read your writes).
 */
export function createCallsService(options: {
  store: Store;
  projection: CallProjection;
  defaults: MetricParameters;
  /** The centre's open periods within [from, to) (its business calendar), for hours=business. */
  businessPeriods: (from: number, to: number) => { start: number; end: number }[];
  now?: () => number;
}) {
  const { store, projection, defaults, businessPeriods } = options;
  const clock = options.now ?? Date.now;

  /** A query's period: without one, today from local midnight to the next; with only a start, up to the end of today. */
  const periodOf = (query: { from?: number; to?: number }, timezone: string, now: number) => {
    const from = query.from ?? startOfDay(now, timezone);
    const to = query.to ?? startOfDay(startOfDay(Math.max(now, from), timezone) + 36 * 3600_000, timezone);
    return { from, to };
  };

  /** The business-hours periods of [from, to), or undefined for all day. */
  const windowsOf = (from: number, to: number, timezone: string, hours: ReportHours | undefined) => {
    if (hours === undefined) return undefined;
    if ((to - from) / BUCKET_MS.day > MAX_BUCKETS)
      throw new QueryError('from', `with hours, a period of at most ${MAX_BUCKETS} days`);
    if (hours === 'business') return businessPeriods(from, to);
    return dailyWindows(from, to, hours.startMinute, hours.endMinute, timezone);
  };

  /** The figures of a period without the queue now (which costs a read of every live call). */
  const summarise = async (query: StatsQuery) => {
    const parameters: MetricParameters = {
      serviceLevelSec: query.serviceLevelSec ?? defaults.serviceLevelSec,
      shortAbandonSec: query.shortAbandonSec ?? defaults.shortAbandonSec,
      timezone: query.timezone ?? defaults.timezone,
    };
    const now = clock();
    const { from, to } = periodOf(query, parameters.timezone, now);
    await projection.settled();
    const within = windowsOf(from, to, parameters.timezone, query.hours);
    const facts = { from, to, team: query.team, agent: query.agent, within };
    const thresholds = {
      serviceLevelSec: parameters.serviceLevelSec,
      shortAbandonSec: parameters.shortAbandonSec,
    };
    const groupBy = query.groupBy;
    let groups: object[] | undefined;
    let rows: CallSummary[];
    if (groupBy === 'team') {
      rows = await store.summariseCalls({ ...facts, ...thresholds, groupBy: 'team' });
      groups = teamFigures(rows);
    } else if (groupBy === 'agent') {
      rows = await store.summariseCalls({ ...facts, ...thresholds, groupBy: 'placedBy' });
      groups = agentFiguresFrom(await store.summariseAgents(facts), rows);
    } else if (groupBy === 'hour' || groupBy === 'day' || groupBy === '15min') {
      // Counted before the buckets are made, which takes a time-zone conversion each.
      if ((to - from) / BUCKET_MS[groupBy] > MAX_BUCKETS)
        throw new QueryError(
          'from',
          `with groupBy=${groupBy}, a period of at most ${MAX_BUCKETS} ${groupBy}s`,
        );
      const buckets = bucketsOf(from, to, groupBy, parameters.timezone);
      rows = await store.summariseCalls({
        ...facts,
        ...thresholds,
        groupBy: { bucketStarts: buckets.map((bucket) => bucket.start) },
      });
      groups = bucketFigures(buckets, rows);
    } else rows = await store.summariseCalls({ ...facts, ...thresholds });
    return {
      at: now,
      from,
      to,
      timezone: parameters.timezone,
      parameters,
      definitions: DEFINITIONS,
      ...(query.hours ? { hours: query.hours } : {}),
      totals: figuresFrom(rows),
      groups,
    };
  };

  const stats = async (query: StatsQuery) => {
    const { at, groups, ...period } = await summarise(query);
    const live = await store.listLiveCalls();
    return {
      ...period,
      now: { at, ...computeNow(live, at, query.team) },
      ...(query.groupBy ? { groupBy: query.groupBy, groups } : {}),
    };
  };

  /**
   * Today's figures as the wallboard shows them: the headline figures and the queue now, per team, per agent and
   * per hour, and the latest missed and abandoned calls with their callback status. Without the live calls
   * themselves: the live stream sends those as they change.
   */
  const figures = async () => {
    const [totals, teams, agents, hours] = await Promise.all([
      stats({}),
      summarise({ groupBy: 'team' }),
      summarise({ groupBy: 'agent' }),
      summarise({ groupBy: 'hour' }),
    ]);
    const missed = await store.listMissedCalls({ from: totals.from, to: totals.to, limit: 25 });
    return {
      generatedAt: clock(),
      from: totals.from,
      to: totals.to,
      timezone: totals.timezone,
      parameters: totals.parameters,
      totals: totals.totals,
      now: totals.now,
      teams: teams.groups ?? [],
      agents: agents.groups ?? [],
      hours: hours.groups ?? [],
      missed: missed.items,
    };
  };

  /** The events of a call (by its key), in TeleCMI time order. */
  const timelineOf = async (key: string): Promise<StoredEvent[]> =>
    (await store.listCallEvents(key)).sort(byTelecmiTime);

  return {
    settled: () => projection.settled(),

    stats,

    figures,

    /** A call and its events in TeleCMI time order, or null. */
    async callWithTimeline(keyOrIdentifier: string): Promise<(Call & { timeline: StoredEvent[] }) | null> {
      await projection.settled();
      const call = await store.getCall(keyOrIdentifier);
      if (!call) return null;
      return { ...call, timeline: await timelineOf(call.key) };
    },

    timelineOf,

    /** Numbers that called several times in a period, by the same period rules as the metrics. */
    async repeatCallers(query: RepeatCallersQuery) {
      const timezone = query.timezone ?? defaults.timezone;
      const { from, to } = periodOf(query, timezone, clock());
      await projection.settled();
      const items = await store.listRepeatCallers({
        from,
        to,
        team: query.team,
        agent: query.agent,
        within: windowsOf(from, to, timezone, query.hours),
        minCalls: query.minCalls ?? 2,
        limit: query.limit ?? 100,
      });
      return { from, to, timezone, items };
    },

    rebuild: () => projection.rebuild(),
  };
}

export type CallsService = ReturnType<typeof createCallsService>;
