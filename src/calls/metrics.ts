import type { AgentFacts, Call, CallFacts } from '../store/index.js';
import { bucketIndex, bucketsOf } from './time-zone.js';

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
const mean = (values: number[]): number | null =>
  values.length === 0 ? null : round(values.reduce((a, b) => a + b, 0) / values.length);
const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : round(part / whole, 4));

/** The figures of the calls given, by the definitions above. */
export function computeFigures(calls: readonly CallFacts[], parameters: MetricParameters): Figures {
  const figures: Figures = {
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
  };
  const waits: number[] = [];
  const talks: number[] = [];
  for (const call of calls) {
    if (call.direction === 'outbound') {
      figures.outboundPlaced += 1;
      if (call.outcome === 'answered' || call.state === 'answered') figures.outboundAnswered += 1;
      continue;
    }
    figures.offered += 1;
    const isAnswered = call.outcome === 'answered' || (call.outcome === null && call.state === 'answered');
    if (isAnswered) {
      figures.answered += 1;
      if (call.waitedSec !== null) {
        waits.push(call.waitedSec);
        if (call.waitedSec <= parameters.serviceLevelSec) figures.answeredWithinServiceLevel += 1;
      }
      if (call.state === 'ended' && call.talkSec !== null) talks.push(call.talkSec);
    } else if (call.outcome === 'abandoned') {
      if (call.waitedSec !== null && call.waitedSec < parameters.shortAbandonSec) figures.shortAbandoned += 1;
      else figures.abandoned += 1;
    } else if (call.outcome === 'missed') figures.missed += 1;
    else if (call.outcome === 'voicemail') figures.voicemail += 1;
    else if (call.outcome === 'unknown') figures.unknown += 1;
    else figures.live += 1;
  }
  figures.asaSec = mean(waits);
  figures.ahtSec = mean(talks);
  figures.serviceLevel = ratio(figures.answeredWithinServiceLevel, waits.length + figures.abandoned);
  figures.abandonmentRate = ratio(figures.abandoned, figures.offered);
  return figures;
}

/** Per-agent figures from the agent legs rung in the period and the calls they placed. */
export function computeAgentFigures(
  legs: readonly AgentFacts[],
  calls: readonly CallFacts[],
): AgentFigures[] {
  const byAgent = new Map<string, AgentFigures & { talks: number[] }>();
  const entry = (agent: string, team: string | null) => {
    let figures = byAgent.get(agent);
    if (!figures) {
      figures = {
        agent,
        team,
        offered: 0,
        answered: 0,
        rangNotAnswered: 0,
        talkSec: 0,
        ahtSec: null,
        outboundPlaced: 0,
        talks: [],
      };
      byAgent.set(agent, figures);
    }
    figures.team ??= team;
    return figures;
  };
  for (const leg of legs) {
    const figures = entry(leg.agent, leg.team);
    figures.offered += 1;
    if (leg.answered) {
      figures.answered += 1;
      if (leg.talkSec !== null) {
        figures.talks.push(leg.talkSec);
        figures.talkSec = round(figures.talkSec + leg.talkSec);
      }
    } else if (leg.isMissedByAgent) figures.rangNotAnswered += 1;
  }
  for (const call of calls)
    if (call.direction === 'outbound' && call.placedBy !== null)
      entry(call.placedBy, call.team).outboundPlaced += 1;
  return [...byAgent.values()]
    .map(({ talks, ...figures }) => ({ ...figures, ahtSec: mean(talks) }))
    .sort((a, b) => a.agent.localeCompare(b.agent));
}

/** Figures per local hour or day of the period, every bucket present (zeros included) for charts. */
export function computeBuckets(
  calls: readonly CallFacts[],
  period: { from: number; to: number },
  unit: 'hour' | 'day',
  parameters: MetricParameters,
): ({ key: string; start: number } & Figures)[] {
  const buckets = bucketsOf(period.from, period.to, unit, parameters.timezone);
  const members: CallFacts[][] = buckets.map(() => []);
  for (const call of calls) {
    const index = bucketIndex(buckets, call.startedAt);
    if (index >= 0) members[index]!.push(call);
  }
  return buckets.map((bucket, index) => ({
    key: bucket.label,
    start: bucket.start,
    ...computeFigures(members[index]!, parameters),
  }));
}

/** Figures per team (the call's team; calls without one under the key null). */
export function computeTeams(
  calls: readonly CallFacts[],
  parameters: MetricParameters,
): ({ key: string | null } & Figures)[] {
  const byTeam = new Map<string | null, CallFacts[]>();
  for (const call of calls) {
    const list = byTeam.get(call.team) ?? [];
    list.push(call);
    byTeam.set(call.team, list);
  }
  return [...byTeam.entries()]
    .sort(([a], [b]) => (a ?? '\uffff').localeCompare(b ?? '\uffff'))
    .map(([key, members]) => ({ key, ...computeFigures(members, parameters) }));
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
    longestWaitSec: oldest ? Math.max(0, Math.round((now - oldest.startedAt) / 1000)) : null,
    oldestWaitingSince: oldest?.startedAt ?? null,
    talkingNow: live.filter((call) => call.state === 'answered' && (team === undefined || call.team === team))
      .length,
  };
}
