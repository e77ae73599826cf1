import type { AgentLeg, IncomingOutcome } from './incoming-call.js';
import type { Agent } from './types.js';

/** Answered within this many seconds counts towards the service level (telehook's T). */
export const SERVICE_LEVEL_SEC = 20;
/** A caller who hangs up unanswered within this many seconds is a short abandon, not an abandon. */
export const SHORT_ABANDON_SEC = 5;

/** How a call counts in the metrics. */
export type CallClass = 'answered' | 'abandoned' | 'short-abandoned' | 'missed' | 'voicemail';

/** What the ground truth needs to know of one call. */
export interface TruthCall {
  readonly arrivalAt: number;
  readonly legs: readonly AgentLeg[];
  readonly outcome: IncomingOutcome;
  /** Seconds from arrival to the answer; for an unanswered call, to the caller's hangup or the queue's timeout. */
  readonly waitSec: number;
  /** Seconds from the answer to the end; null when unanswered. */
  readonly talkSec: number | null;
}

/** Per agent: calls answered, and legs that rang but were not answered. */
export interface AgentTruth {
  readonly team: string;
  readonly answered: number;
  /** Legs that ended unanswered: rang out, or were cancelled because the caller hung up or the queue gave up. */
  readonly rangNotAnswered: number;
}

/**
 * What a simulation really did, in telehook's documented metric definitions, so that telehook's own figures
 * (`/api/stats`) can be compared with it field for field.
 */
export interface GroundTruth {
  /** Inbound calls. offered = answered + abandoned + shortAbandoned + missed + voicemail. */
  readonly offered: number;
  readonly answered: number;
  /** Hung up unanswered after waiting at least {@link SHORT_ABANDON_SEC} seconds. */
  readonly abandoned: number;
  /** Hung up unanswered within {@link SHORT_ABANDON_SEC} seconds. */
  readonly shortAbandoned: number;
  /** Unanswered, not abandoned, no voicemail: the queue timed out. */
  readonly missed: number;
  /** Unanswered, the caller left a voicemail. */
  readonly voicemail: number;
  /** Average speed of answer: mean wait of answered calls, seconds; null when none. */
  readonly asaSec: number | null;
  /** Average handle time: mean talk time of answered calls, seconds; null when none. */
  readonly ahtSec: number | null;
  /** Answered within {@link SERVICE_LEVEL_SEC} s ÷ (answered + abandoned); null when that is 0. */
  readonly serviceLevel: number | null;
  /** abandoned ÷ offered; null when nothing was offered. */
  readonly abandonmentRate: number | null;
  /** By agent id (`204_2222223`), every agent, including those who took no call. */
  readonly agents: Readonly<Record<string, AgentTruth>>;
  /** Epoch ms of the first arrival; null without calls. */
  readonly from: number | null;
  /** Epoch ms of the last payload TeleCMI sends; null without calls. */
  readonly to: number | null;
  readonly thresholds: { readonly serviceLevelSec: number; readonly shortAbandonSec: number };
}

/** How a call counts: answered, abandoned (≥ 5 s), short-abandoned (< 5 s), missed or voicemail. */
export function classifyCall(call: Pick<TruthCall, 'outcome' | 'waitSec'>): CallClass {
  if (call.outcome.kind !== 'abandoned') return call.outcome.kind;
  return call.waitSec >= SHORT_ABANDON_SEC ? 'abandoned' : 'short-abandoned';
}

const mean = (values: readonly number[]): number | null =>
  values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;

/** The {@link GroundTruth} of simulated calls; `lastAt` is when the last payload is sent. */
export function computeGroundTruth(
  calls: readonly TruthCall[],
  agents: readonly Agent[],
  lastAt: number | null,
): GroundTruth {
  const counts: Record<CallClass, number> = {
    answered: 0,
    abandoned: 0,
    'short-abandoned': 0,
    missed: 0,
    voicemail: 0,
  };
  const byAgent = new Map(
    agents.map((agent) => [agent.id, { team: agent.team, answered: 0, rangNotAnswered: 0 }]),
  );
  const waits: number[] = [];
  const talks: number[] = [];
  let withinServiceLevel = 0;
  for (const call of calls) {
    const kind = classifyCall(call);
    counts[kind] += 1;
    if (kind === 'answered') {
      waits.push(call.waitSec);
      talks.push(call.talkSec ?? 0);
      if (call.waitSec <= SERVICE_LEVEL_SEC) withinServiceLevel += 1;
    }
    for (const leg of call.legs) {
      const agent = byAgent.get(leg.agent.id);
      if (agent === undefined) continue;
      if (leg.answeredAt === null) agent.rangNotAnswered += 1;
      else agent.answered += 1;
    }
  }
  const offered = calls.length;
  const slBase = counts.answered + counts.abandoned;
  return {
    offered,
    answered: counts.answered,
    abandoned: counts.abandoned,
    shortAbandoned: counts['short-abandoned'],
    missed: counts.missed,
    voicemail: counts.voicemail,
    asaSec: mean(waits),
    ahtSec: mean(talks),
    serviceLevel: slBase === 0 ? null : withinServiceLevel / slBase,
    abandonmentRate: offered === 0 ? null : counts.abandoned / offered,
    agents: Object.fromEntries(byAgent),
    from:
      calls.length === 0 ? null : calls.reduce((first, call) => Math.min(first, call.arrivalAt), Infinity),
    to: calls.length === 0 ? null : lastAt,
    thresholds: { serviceLevelSec: SERVICE_LEVEL_SEC, shortAbandonSec: SHORT_ABANDON_SEC },
  };
}

/** One call of the ground truth, for checking calls one by one (e.g. after a backfill). */
export interface TruthCallSummary {
  /** The conversation_uuid: telehook's call key. */
  readonly key: string;
  /** The caller, E.164 digits. */
  readonly from: string;
  readonly arrivalAt: number;
  readonly outcome: CallClass;
  /** The agent who answered; null when unanswered. */
  readonly answeredBy: string | null;
  readonly waitSec: number;
  readonly talkSec: number | null;
}

/** Every call of a simulation, one by one, in arrival order, as telehook's metric definitions class it. */
export function listTruthCalls(
  calls: readonly (TruthCall & { readonly key: string; readonly from: string })[],
): TruthCallSummary[] {
  return [...calls]
    .sort((a, b) => a.arrivalAt - b.arrivalAt)
    .map((call) => ({
      key: call.key,
      from: call.from,
      arrivalAt: call.arrivalAt,
      outcome: classifyCall(call),
      answeredBy: call.legs.find((leg) => leg.answeredAt !== null)?.agent.id ?? null,
      waitSec: call.waitSec,
      talkSec: call.talkSec,
    }));
}
