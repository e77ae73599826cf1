import type { AgentLeg, Call, CallOutcome, CallState } from '../store/index.js';
import type { CallEvent } from '../telecmi/index.js';
import { byTelecmiTime, isAgentLeg, phaseOf } from './event-order.js';

/** What a projection depends on besides the events. */
export interface ProjectionOptions {
  /** The time at which the projection is made (a live call with no event for `staleAfterMs` is closed). */
  readonly now: number;
  /** A call with no end and no event for this long is closed with outcome `unknown`. @defaultValue 2 h */
  readonly staleAfterMs: number;
}

const ANSWER_PHASES = new Set(['answered', 'bridged']);
const RING_PHASES = new Set(['started', 'ringing']);
const min = (values: (number | null | undefined)[]): number | null => {
  const present = values.filter((value): value is number => typeof value === 'number');
  return present.length === 0 ? null : Math.min(...present);
};
const max = (values: (number | null | undefined)[]): number | null => {
  const present = values.filter((value): value is number => typeof value === 'number');
  return present.length === 0 ? null : Math.max(...present);
};
const first = <T>(values: (T | null | undefined)[]): T | null =>
  values.find((value) => value !== null && value !== undefined) ?? null;
const seconds = (ms: number): number => Math.round(ms) / 1000;

/**
 * Folds the events of one call into the call. Pure, and a function of the *set* of events: they are put in
 * TeleCMI time order first (time, then status rank, never arrival), and duplicates change nothing.
 *
 * The CDR of the caller's leg is authoritative for the outcome and the durations; live events alone still give a
 * correct call; an agent leg's CDR or hangup never ends the call (another agent may answer).
 */
export function projectCall(
  input: readonly CallEvent[],
  identifiers: readonly string[],
  key: string,
  options: ProjectionOptions,
): Call {
  const events = [...input].sort(byTelecmiTime);
  const callerLeg = events.filter((event) => !isAgentLeg(event));
  const agentLeg = events.filter(isAgentLeg);
  const callerLive = callerLeg.filter((event) => event.kind !== 'cdr');
  const cdr = pickCallCdr(callerLeg.filter((event) => event.kind === 'cdr'));
  const direction = inferDirection(callerLeg, agentLeg);
  const isInbound = direction !== 'outbound';

  // Answer evidence. For an outbound (click-to-call) call, leg a is the agent's own phone: the customer answered
  // only when leg b did, unless the call had no second leg at all.
  const callerAnswers = callerLive.filter((event) => ANSWER_PHASES.has(phaseOf(event)));
  const agentAnswers = agentLeg.filter((event) => event.kind !== 'cdr' && ANSWER_PHASES.has(phaseOf(event)));
  const agentAnsweredCdrs = agentLeg.filter((event) => event.kind === 'cdr' && phaseOf(event) === 'answered');
  const countsCallerAnswer = isInbound || agentLeg.length === 0;
  const cdrAnswered = cdr !== null && phaseOf(cdr) === 'answered';
  const isAnswered =
    cdr !== null
      ? cdrAnswered
      : (countsCallerAnswer && callerAnswers.length > 0) ||
        agentAnswers.length > 0 ||
        agentAnsweredCdrs.length > 0;

  const callerHangups = callerLive.filter((event) => phaseOf(event) === 'hangup');
  const liveStart = min([
    ...callerLeg.filter((event) => event.kind !== 'cdr').map((event) => event.occurredAt),
    ...agentLeg.map((e) => (e.kind === 'cdr' ? null : e.occurredAt)),
  ]);
  const cdrStart = cdr?.startedAt ?? null;
  const answeredAt = isAnswered
    ? min([
        ...(countsCallerAnswer ? callerAnswers.map((event) => event.occurredAt) : []),
        ...agentAnswers.map((event) => event.occurredAt),
        cdrAnswered ? (cdr.answeredAt ?? (cdr.product === 'piopiy' ? null : cdr.occurredAt)) : null,
      ])
    : null;
  const startEvidence = min([liveStart, cdrStart]);
  const lastEventAt = max(events.map((event) => event.occurredAt ?? event.receivedAt)) ?? 0;

  // The start: the first live event or the PIOPIY start_time; with a CDR alone, its time (a missed CDR's time is
  // when the caller started waiting; an answered CDR's is the answer).
  const startedAt =
    startEvidence ??
    cdr?.occurredAt ??
    min(events.map((event) => event.occurredAt)) ??
    min(events.map((event) => event.receivedAt)) ??
    0;

  let endedAt = max(callerHangups.map((event) => event.occurredAt));
  if (cdr !== null) {
    endedAt = cdr.endedAt ?? endedAt;
    if (endedAt === null && cdrAnswered && answeredAt !== null && cdr.answeredSec !== null)
      endedAt = answeredAt + cdr.answeredSec * 1000;
    if (endedAt === null && !cdrAnswered && cdr.waitedSec !== null)
      endedAt = startedAt + cdr.waitedSec * 1000;
    endedAt ??= cdr.occurredAt;
  }

  const isEndedByEvents = cdr !== null || callerHangups.length > 0;
  const isStale = !isEndedByEvents && options.now - lastEventAt > options.staleAfterMs;
  const agents = collectAgents(agentLeg, isInbound ? cdr : null, answeredAt);
  const state: CallState =
    isEndedByEvents || isStale
      ? 'ended'
      : isAnswered
        ? 'answered'
        : agents.some(isRinging)
          ? 'ringing'
          : isInbound
            ? 'waiting'
            : 'ringing';

  let outcome: CallOutcome | null = null;
  if (isStale) outcome = 'unknown';
  else if (isEndedByEvents)
    outcome = decideOutcome({
      cdr,
      isAnswered,
      isInbound,
      callerHangupAt: endedAt,
      answeredAt,
      hasCallerHangup: callerHangups.length > 0,
    });

  // An answer is no evidence of when the wait began: with only an answer seen (PIOPIY sends no live event
  // before in_answered) the wait is unknown until the CDR tells it, not 0.
  const waitStart = min([
    ...events.filter((e) => e.kind !== 'cdr' && !ANSWER_PHASES.has(phaseOf(e))).map((e) => e.occurredAt),
    cdrStart,
  ]);
  const waitedSec =
    cdr?.waitedSec ??
    (cdrAnswered ? piopiyWaitSec(cdr) : null) ??
    (waitStart !== null && answeredAt !== null && answeredAt >= waitStart
      ? seconds(answeredAt - waitStart)
      : startEvidence !== null && state === 'ended' && !isAnswered && endedAt !== null && !isStale
        ? seconds(Math.max(0, endedAt - startEvidence))
        : null);
  const talkSec = isAnswered
    ? (cdr?.answeredSec ??
      (cdr?.product === 'piopiy' && cdrAnswered ? cdr.durationSec : null) ??
      (answeredAt !== null && endedAt !== null && state === 'ended' && !isStale
        ? seconds(Math.max(0, endedAt - answeredAt))
        : null))
    : null;

  const answeredLeg = agents
    .filter((leg) => leg.answered)
    .sort((a, b) => (a.answeredAt ?? Infinity) - (b.answeredAt ?? Infinity))[0];
  const callerNumbers = numbersOf(callerLeg, agentLeg, isInbound);

  return {
    key,
    product: first(events.map((event) => (event.product === 'unknown' ? null : event.product))) ?? 'unknown',
    appId: first([...callerLeg, ...agentLeg].map((event) => event.appId)),
    direction,
    ...callerNumbers,
    state,
    outcome,
    startedAt,
    answeredAt,
    endedAt: state === 'ended' && !isStale ? endedAt : null,
    waitedSec,
    talkSec,
    team: first([
      cdr?.team,
      ...callerLeg.map((event) => event.team),
      answeredLeg?.team,
      ...agents.map((leg) => leg.team),
    ]),
    ivr: first(events.map((event) => event.ivr)),
    agents: isInbound ? agents : [],
    answeredBy: isInbound ? (answeredLeg?.agent ?? null) : null,
    placedBy: isInbound
      ? null
      : first([...callerLeg.map((event) => event.agent), ...agentLeg.map((event) => event.agent)]),
    recording: first(events.map((event) => event.recording)),
    voicemail: first(events.map((event) => event.voicemail)),
    hangupReason: cdr?.hangupReason ?? null,
    custom:
      first(callerLeg.map((event) => (event.custom === null ? null : event.custom))) ??
      first(agentLeg.map((event) => event.custom)),
    eventCount: events.length,
    lastEventAt,
    closedBy: isStale
      ? 'stale'
      : cdr !== null && isBackfillOnly(events)
        ? 'backfill'
        : cdr !== null
          ? 'cdr'
          : isEndedByEvents
            ? 'events'
            : null,
    legOnly:
      callerLeg.length === 0 &&
      !events.some((event) => event.conversationUuid ?? event.callId ?? event.requestId ?? event.parentLegId),
    identifiers: [...identifiers].sort(),
  };
}

/**
 * Whether every event is a row of TeleCMI's call history (a stored event's `source`): the call was recovered by
 * a reconcile run, and nothing but that row is known of it.
 */
function isBackfillOnly(events: readonly CallEvent[]): boolean {
  return events.every((event) => (event as { source?: string }).source === 'backfill');
}

/**
 * A PIOPIY CDR's wait: answer_time − start_time. Both come from the same clock, unlike the live events' `time`,
 * which can be seconds off the CDR's times (docs/telecmi-payloads.md §6: a `time` 3 s before `start_time`).
 */
function piopiyWaitSec(cdr: CallEvent): number | null {
  if (cdr.startedAt === null || cdr.answeredAt === null || cdr.answeredAt < cdr.startedAt) return null;
  return seconds(cdr.answeredAt - cdr.startedAt);
}

/** The caller leg's CDR: an answered one wins over a missed one (PIOPIY resends, doc copies), then the latest. */
function pickCallCdr(cdrs: CallEvent[]): CallEvent | null {
  const answered = cdrs.filter((event) => phaseOf(event) === 'answered');
  const pool = answered.length > 0 ? answered : cdrs;
  return pool.at(-1) ?? null;
}

function inferDirection(callerLeg: CallEvent[], agentLeg: CallEvent[]): string | null {
  const own = first(callerLeg.map((event) => event.direction));
  if (own !== null) return own;
  // Agent legs of an incoming call say "outbound" (TeleCMI dials the agent), but their CDR says "inbound".
  const agentCdr = first(agentLeg.filter((event) => event.kind === 'cdr').map((event) => event.direction));
  if (agentCdr !== null) return agentCdr;
  return agentLeg.some((event) => event.team !== null || event.product === 'chub')
    ? 'inbound'
    : first(agentLeg.map((event) => event.direction));
}

interface OutcomeClues {
  cdr: CallEvent | null;
  isAnswered: boolean;
  isInbound: boolean;
  hasCallerHangup: boolean;
  callerHangupAt: number | null;
  answeredAt: number | null;
}

/**
 * answered; voicemail (a voicemail was left); abandoned (inbound, the caller hung up first: a missed CDR with
 * hangup_reason recv_bye, or, when the CDR gives no reason or there is no CDR, the caller's leg hung up
 * unanswered); missed (any other unanswered call).
 */
function decideOutcome(clues: OutcomeClues): CallOutcome {
  const { cdr } = clues;
  if (cdr !== null) {
    if (phaseOf(cdr) === 'answered') return 'answered';
    if (cdr.hasVoicemail === true || cdr.voicemail !== null) return 'voicemail';
    if (!clues.isInbound) return 'missed';
    if (cdr.hangupReason === 'recv_bye') return 'abandoned';
    if (cdr.hangupReason === null && clues.hasCallerHangup) return 'abandoned';
    return phaseOf(cdr) === 'missed' || cdr.hangupReason !== null
      ? 'missed'
      : clues.isAnswered
        ? 'answered'
        : 'unknown';
  }
  if (clues.isAnswered) return 'answered';
  return clues.isInbound ? 'abandoned' : 'missed';
}

function isRinging(leg: AgentLeg): boolean {
  return leg.rangAt !== null && !leg.answered && leg.endedAt === null;
}

/** Each agent leg (leg b), by leg id; an inbound CDR's answering user without a leg of their own is added. */
function collectAgents(
  agentLeg: CallEvent[],
  callCdr: CallEvent | null,
  callAnsweredAt: number | null,
): AgentLeg[] {
  const legs = new Map<string, AgentLeg>();
  for (const event of agentLeg) {
    if (event.agent === null && event.legId === null) continue;
    const id = event.legId ?? `agent:${event.agent}`;
    const leg: AgentLeg = legs.get(id) ?? {
      agent: event.agent ?? 'unknown',
      team: null,
      legId: event.legId,
      number: null,
      rangAt: null,
      answeredAt: null,
      endedAt: null,
      answered: false,
      hangupReason: null,
    };
    const phase = phaseOf(event);
    if (event.agent !== null) leg.agent = event.agent;
    leg.team ??= event.team;
    if (event.kind === 'cdr') {
      leg.number ??= event.to;
      leg.hangupReason = event.hangupReason;
      leg.rangAt ??= event.occurredAt;
      if (phase === 'answered') {
        leg.answered = true;
        leg.answeredAt ??= event.occurredAt;
      } else leg.endedAt ??= event.occurredAt;
    } else if (RING_PHASES.has(phase)) leg.rangAt = min([leg.rangAt, event.occurredAt]);
    else if (ANSWER_PHASES.has(phase)) {
      leg.answered = true;
      leg.answeredAt = min([leg.answeredAt, event.occurredAt]);
      leg.rangAt = min([leg.rangAt, event.occurredAt]);
    } else if (phase === 'hangup') leg.endedAt = max([leg.endedAt, event.occurredAt]);
    legs.set(id, leg);
  }
  if (callCdr !== null && phaseOf(callCdr) === 'answered' && callCdr.agent !== null) {
    const theirs = [...legs.values()].filter((leg) => leg.agent === callCdr.agent);
    // The CDR names the agent, not the leg, and a queue that has tried every agent rings them again: the leg
    // answered is one of theirs that had not ended before the answer (the latest rung), unless their own
    // events already told which.
    const known = theirs
      .filter((leg) => leg.endedAt === null || callAnsweredAt === null || leg.endedAt >= callAnsweredAt)
      .sort((a, b) => (a.rangAt ?? -Infinity) - (b.rangAt ?? -Infinity))
      .at(-1);
    if (theirs.some((leg) => leg.answered)) {
      // Their own events already tell.
    } else if (known) {
      known.answered = true;
      known.answeredAt ??= callAnsweredAt;
    } else {
      legs.set(`cdr:${callCdr.agent}`, {
        agent: callCdr.agent,
        team: callCdr.team,
        legId: null,
        number: callCdr.to,
        rangAt: callAnsweredAt,
        answeredAt: callAnsweredAt,
        endedAt: null,
        answered: true,
        hangupReason: null,
      });
    }
  }
  return [...legs.values()].sort(
    (a, b) =>
      (a.rangAt ?? Infinity) - (b.rangAt ?? Infinity) ||
      (a.legId ?? a.agent).localeCompare(b.legId ?? b.agent),
  );
}

/** Inbound: from = the caller, to = the number called. Outbound: from = our caller id, to = the customer. */
function numbersOf(
  callerLeg: CallEvent[],
  agentLeg: CallEvent[],
  isInbound: boolean,
): Pick<Call, 'from' | 'to' | 'virtualNumber'> {
  const virtualNumber = first([...callerLeg, ...agentLeg].map((event) => event.virtualNumber));
  if (isInbound) {
    const from = first([...callerLeg.map((event) => event.from), ...agentLeg.map((event) => event.from)]);
    const to =
      first(
        callerLeg.filter((event) => event.kind !== 'cdr' || event.agent === null).map((event) => event.to),
      ) ?? virtualNumber;
    return { from, to, virtualNumber: virtualNumber ?? to };
  }
  const from = first([
    ...callerLeg.map((event) => event.callerId),
    virtualNumber,
    ...callerLeg.map((event) => event.from),
  ]);
  const to = first([...callerLeg.map((event) => event.to), ...agentLeg.map((event) => event.to)]);
  return { from, to, virtualNumber: virtualNumber ?? first(callerLeg.map((event) => event.callerId)) };
}
