import type { AgentSummary, Call, CallFacts, CallSummary } from '../store/index.js';
import type { Bucket } from '../time-zone.js';

/** The settings a metric depends on; each can be overridden per query. */
export interface MetricParameters {
  /** T of the service level, seconds. @defaultValue 20 */
  readonly serviceLevelSec: number;
  /** Callers who hang up sooner than this are short abandons, counted apart. @defaultValue 5 */
  readonly shortAbandonSec: number;
  /** IANA zone in which days and hours are counted. */
  readonly timezone: string;
}

/**
 * Every metric's definition, as formulas over the calls that *started* in the period. The README shows the same
 * table, and every `/api/stats` answer echoes it with the parameters used.
 */
export const DEFINITIONS = {
  offered: 'inbound calls that started in the period',
  answered: 'offered calls answered by an agent (outcome answered, or answered and still talking)',
  abandoned:
    'offered calls whose caller hung up before an answer after waiting at least shortAbandonSec (a wait TeleCMI does not give counts here)',
  shortAbandoned:
    'offered calls whose caller hung up before an answer within shortAbandonSec; not in abandoned',
  missed:
    'offered calls that ended unanswered for another reason (no agent answered, rejected), without voicemail',
  voicemail: 'offered calls that ended with a voicemail',
  unknown: 'offered calls closed without an end (no event for the stale time)',
  live: 'offered calls not ended yet',
  answeredWithinServiceLevel: 'answered calls that waited at most serviceLevelSec',
  asaSec: 'average speed of answer: mean wait (seconds) of answered calls whose wait is known',
  ahtSec: 'average handle time: mean talk time (seconds) of answered, ended calls whose talk time is known',
  serviceLevel:
    'answeredWithinServiceLevel ÷ (answered calls whose wait is known + abandoned); null when 0 ÷ 0',
  abandonmentRate: 'abandoned ÷ offered; null when nothing was offered',
  outboundPlaced: 'outbound calls that started in the period',
  outboundAnswered: 'outbound calls the customer answered',
  waitingNow: 'inbound calls waiting or ringing an agent now (any start time)',
  longestWaitSec: 'how long the caller waiting longest now has waited',
  agentOffered: 'per agent: legs that rang the agent in the period',
  agentAnswered: 'per agent: legs the agent answered',
  agentRangNotAnswered: 'per agent: legs that rang the agent and ended unanswered by the agent',
  team: "the call's team: the CDR's team, else the team of the leg that answered, else of the first leg rung",
  hour: 'calls by the local hour (timezone) in which they started',
  day: 'calls by the local day (timezone) in which they started; "today" starts at local midnight',
  '15min': 'calls by the local quarter hour (timezone) in which they started',
  hours:
    'with hours=HH:MM-HH:MM, only calls (and agent legs) that started between those local times (timezone), every day: business hours',
  repeatCallers:
    'numbers with at least minCalls (default 2) inbound calls in the period, with how many of those were answered (as in answered)',
} as const;

/** The figures of a set of calls. */
export interface Figures {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  missed: number;
  voicemail: number;
  unknown: number;
  live: number;
  answeredWithinServiceLevel: number;
  asaSec: number | null;
  ahtSec: number | null;
  serviceLevel: number | null;
  abandonmentRate: number | null;
  outboundPlaced: number;
  outboundAnswered: number;
}

export interface AgentFigures {
  agent: string;
  team: string | null;
  offered: number;
  answered: number;
  rangNotAnswered: number;
  talkSec: number;
  ahtSec: number | null;
  outboundPlaced: number;
}

const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;
const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : round(part / whole, 4));
/**
 * A figure that a response can carry: a call stored with absurd durations (by a version before they were bounded,
 * until `telehook rebuild`) can make a sum overflow to Infinity, which no JSON number or response schema takes.
 */
const finite = (value: number | null): number | null =>
  value !== null && Number.isFinite(value) ? value : null;

const emptyFigures = (): Figures => ({
  offered: 0,
  answered: 0,
  abandoned: 0,
  shortAbandoned: 0,
  missed: 0,
  voicemail: 0,
  unknown: 0,
  live: 0,
  answeredWithinServiceLevel: 0,
  asaSec: null,
  ahtSec: null,
  serviceLevel: null,
  abandonmentRate: null,
  outboundPlaced: 0,
  outboundAnswered: 0,
});

/**
 * The figures of calls counted by (direction, state, outcome), by the definitions above. The store counts in the
 * database (Store.summariseCalls); {@link summariseFacts} counts the same way in memory.
 */
export function figuresFrom(rows: readonly CallSummary[]): Figures {
  const figures = emptyFigures();
  let waitKnown = 0;
  let waitSum = 0;
  let talkKnown = 0;
  let talkSum = 0;
  for (const row of rows) {
    if (row.direction === 'outbound') {
      figures.outboundPlaced += row.calls;
      if (row.outcome === 'answered' || row.state === 'answered') figures.outboundAnswered += row.calls;
      continue;
    }
    figures.offered += row.calls;
    if (row.outcome === 'answered' || (row.outcome === null && row.state === 'answered')) {
      figures.answered += row.calls;
      figures.answeredWithinServiceLevel += row.withinServiceLevel;
      waitKnown += row.waitKnown;
      waitSum += row.waitSum;
      talkKnown += row.talkKnown;
      talkSum += row.talkSum;
    } else if (row.outcome === 'abandoned') {
      figures.shortAbandoned += row.shortWait;
      figures.abandoned += row.calls - row.shortWait;
    } else if (row.outcome === 'missed') figures.missed += row.calls;
    else if (row.outcome === 'voicemail') figures.voicemail += row.calls;
    else if (row.outcome === 'unknown') figures.unknown += row.calls;
    else figures.live += row.calls;
  }
  figures.asaSec = waitKnown === 0 ? null : finite(round(waitSum / waitKnown));
  figures.ahtSec = talkKnown === 0 ? null : finite(round(talkSum / talkKnown));
  figures.serviceLevel = ratio(figures.answeredWithinServiceLevel, waitKnown + figures.abandoned);
  figures.abandonmentRate = ratio(figures.abandoned, figures.offered);
  return figures;
}

/** Counts calls in memory exactly as Store.summariseCalls does in the database. */
export function summariseFacts(
  calls: readonly CallFacts[],
  parameters: Pick<MetricParameters, 'serviceLevelSec' | 'shortAbandonSec'>,
  groupOf: (call: CallFacts) => string | number | null = () => null,
): CallSummary[] {
  const rows = new Map<string, CallSummary & { [key: string]: unknown }>();
  for (const call of calls) {
    const group = groupOf(call);
    const id = JSON.stringify([group, call.direction, call.state, call.outcome]);
    const row = rows.get(id) ?? {
      group,
      direction: call.direction,
      state: call.state,
      outcome: call.outcome,
      calls: 0,
      waitKnown: 0,
      waitSum: 0,
      withinServiceLevel: 0,
      shortWait: 0,
      talkKnown: 0,
      talkSum: 0,
    };
    const isEndedTalk = call.state === 'ended' && call.talkSec !== null;
    rows.set(id, {
      ...row,
      calls: row.calls + 1,
      waitKnown: row.waitKnown + (call.waitedSec === null ? 0 : 1),
      waitSum: row.waitSum + (call.waitedSec ?? 0),
      withinServiceLevel:
        row.withinServiceLevel +
        (call.waitedSec !== null && call.waitedSec <= parameters.serviceLevelSec ? 1 : 0),
      shortWait:
        row.shortWait + (call.waitedSec !== null && call.waitedSec < parameters.shortAbandonSec ? 1 : 0),
      talkKnown: row.talkKnown + (isEndedTalk ? 1 : 0),
      talkSum: row.talkSum + (isEndedTalk ? (call.talkSec ?? 0) : 0),
    });
  }
  return [...rows.values()];
}

/** Figures per group of summary rows (team, bucket…), in the order of `keys`. */
function figuresByGroup(rows: readonly CallSummary[]): Map<string | number | null, Figures> {
  const groups = new Map<string | number | null, CallSummary[]>();
  for (const row of rows) groups.set(row.group, [...(groups.get(row.group) ?? []), row]);
  return new Map([...groups.entries()].map(([group, members]) => [group, figuresFrom(members)]));
}

/** Per-agent figures from agent legs counted per agent and outbound calls counted per agent who placed them. */
export function agentFiguresFrom(
  legs: readonly AgentSummary[],
  placed: readonly CallSummary[],
): AgentFigures[] {
  const byAgent = new Map<string, AgentFigures>();
  for (const leg of legs) {
    byAgent.set(leg.agent, {
      agent: leg.agent,
      team: leg.team,
      offered: leg.legs,
      answered: leg.answered,
      rangNotAnswered: leg.rangNotAnswered,
      talkSec: finite(round(leg.talkSum)) ?? 0,
      ahtSec: leg.talkKnown === 0 ? null : finite(round(leg.talkSum / leg.talkKnown)),
      outboundPlaced: 0,
    });
  }
  for (const row of placed) {
    if (row.direction !== 'outbound' || typeof row.group !== 'string') continue;
    const figures = byAgent.get(row.group) ?? {
      agent: row.group,
      team: null,
      offered: 0,
      answered: 0,
      rangNotAnswered: 0,
      talkSec: 0,
      ahtSec: null,
      outboundPlaced: 0,
    };
    figures.outboundPlaced += row.calls;
    byAgent.set(row.group, figures);
  }
  return [...byAgent.values()].sort((a, b) => a.agent.localeCompare(b.agent));
}

/** Figures per local hour or day of the period, every bucket present (zeros included) for charts. */
export function bucketFigures(
  buckets: readonly Bucket[],
  rows: readonly CallSummary[],
): ({ key: string; start: number } & Figures)[] {
  const byBucket = figuresByGroup(rows);
  return buckets.map((bucket, index) => ({
    key: bucket.label,
    start: bucket.start,
    ...(byBucket.get(index) ?? figuresFrom([])),
  }));
}

/** Figures per team (the call's team; calls without one under the key null), sorted by team. */
export function teamFigures(rows: readonly CallSummary[]): ({ key: string | null } & Figures)[] {
  return [...figuresByGroup(rows).entries()]
    .map(([key, figures]) => ({ key: key === null ? null : String(key), ...figures }))
    .sort((a, b) => (a.key ?? '\uffff').localeCompare(b.key ?? '\uffff'));
}

/** The queue now: inbound calls waiting or ringing, and the longest wait, from the live calls. */
export function computeNow(live: readonly Call[], now: number, team?: string) {
  const queue = live
    .filter((call) => call.direction !== 'outbound' && (call.state === 'waiting' || call.state === 'ringing'))
    .filter((call) => team === undefined || call.team === team)
    .sort((a, b) => a.startedAt - b.startedAt);
  const oldest = queue[0];
  return {
    waitingNow: queue.length,
    longestWaitSec: oldest ? finite(Math.max(0, Math.round((now - oldest.startedAt) / 1000))) : null,
    oldestWaitingSince: finite(oldest?.startedAt ?? null),
    talkingNow: live.filter((call) => call.state === 'answered' && (team === undefined || call.team === team))
      .length,
  };
}
