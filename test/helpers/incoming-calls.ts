import { type CallEvent, normalise, parse } from '../../src/telecmi/index.js';

/** A generated payload, as the scenario and simulation modules hand them out. */
export interface Sent {
  readonly at: number;
  readonly payload: Record<string, unknown>;
  readonly template: string;
}

/** One agent's leg of an incoming call, as its payloads tell it. */
export interface ReadLeg {
  readonly legId: string;
  readonly agent: string | null;
  readonly startedAt: number | null;
  readonly answeredAt: number | null;
  readonly hungUpAt: number | null;
  /** The leg-B "user missed" CDR, if one was sent. */
  readonly missedCdr: CallEvent | null;
}

/** An incoming call, read back from its payloads the way telehook's documented rules read it. */
export interface ReadCall {
  readonly conversationUuid: string;
  readonly from: string | null;
  readonly arrivalAt: number;
  readonly answeredAt: number | null;
  readonly callerHungUpAt: number | null;
  readonly legs: ReadLeg[];
  readonly cdr: CallEvent;
  /** telehook's rule: answered CDR; missed with voicemail; missed recv_bye → abandoned; other missed → missed; no hangup_reason → abandoned if the caller hung up before any answer. */
  readonly outcome: 'answered' | 'abandoned' | 'missed' | 'voicemail';
  /** answer − arrival, or the CDR's waitedsec. */
  readonly waitSec: number;
  readonly talkSec: number | null;
}

/** Parses and normalises a generated payload as the receiver would. */
export function read(sent: Sent): CallEvent {
  const parsed = parse(JSON.stringify(sent.payload), 'application/json');
  if (!parsed.ok) throw new Error(`${sent.template}: ${parsed.error.message}`);
  return normalise(parsed.value, { id: sent.template, receivedAt: sent.at });
}

/**
 * Reads the payloads of one incoming CHUB or CHUB India call back into what happened, checking on the way that
 * they agree with one another (ids, times, durations). Throws, naming the payload, where they do not.
 */
export function readIncomingCall(payloads: readonly Sent[]): ReadCall {
  const events = payloads.map(read);
  const fail = (message: string): never => {
    throw new Error(`${message}\n${payloads.map((sent) => `${sent.at} ${sent.template}`).join('\n')}`);
  };
  const waiting = events[0];
  if (waiting?.status !== 'waiting') return fail('The first payload is not the caller waiting.');
  const conversationUuid = waiting.conversationUuid ?? fail('waiting has no conversation_uuid');
  if (waiting.legId !== conversationUuid) fail("The caller's leg id is not the conversation's.");
  payloads.forEach((sent, index) => {
    const event = events[index]!;
    if (sent.at % 1000 !== 0 || (event.occurredAt ?? 0) % 1000 !== 0)
      fail(`${sent.template}: not a whole second`);
    if (event.kind === 'event' && event.occurredAt !== sent.at) fail(`${sent.template}: time ≠ when sent`);
    if (index > 0 && sent.at < payloads[index - 1]!.at) fail(`${sent.template}: sent before its predecessor`);
  });

  const legA = events.filter((event) => event.kind === 'event' && event.legId === conversationUuid);
  const answeredAt = legA.find((event) => event.status === 'answered')?.occurredAt ?? null;
  const callerHungUpAt = legA.find((event) => event.status === 'hangup')?.occurredAt ?? null;
  const cdr = events.find((event) => event.kind === 'cdr' && event.legId === conversationUuid);
  if (cdr === undefined) return fail('No CDR for the call.');
  if (events[events.length - 1] !== cdr) fail('The CDR is not the last payload.');
  if (cdr.conversationUuid !== null && cdr.conversationUuid !== conversationUuid) fail('CDR of another call');

  const legIds = [
    ...new Set(
      events
        .filter((event) => event.kind === 'event' && event.legId !== conversationUuid)
        .map((event) => event.legId ?? ''),
    ),
  ];
  const legs = legIds.map((legId): ReadLeg => {
    const of = events.filter((event) => event.legId === legId);
    for (const event of of) {
      if (event.conversationUuid !== null && event.conversationUuid !== conversationUuid)
        fail('leg of another call');
      if (event.from !== waiting.from) fail(`leg ${legId} has another caller`);
    }
    const at = (status: string): number | null =>
      of.find((event) => event.kind === 'event' && event.status === status)?.occurredAt ?? null;
    const missedCdr = of.find((event) => event.kind === 'cdr') ?? null;
    const leg = {
      legId,
      agent: of[0]?.agent ?? null,
      startedAt: at('started'),
      answeredAt: at('answered'),
      hungUpAt: at('hangup'),
      missedCdr,
    };
    if (missedCdr !== null) {
      if (leg.answeredAt !== null) fail(`leg ${legId} answered and missed`);
      if (missedCdr.occurredAt !== leg.hungUpAt)
        fail(`user-missed CDR of ${legId} is not at the leg's hangup`);
      if (missedCdr.agent !== leg.agent || missedCdr.hangupReason !== 'recv_cancel')
        fail('user-missed CDR fields');
    }
    return leg;
  });

  let outcome: ReadCall['outcome'];
  let waitSec: number;
  let talkSec: number | null = null;
  if (cdr.status === 'answered') {
    if (answeredAt === null || callerHungUpAt === null)
      return fail('answered CDR without answered and hangup events');
    if (cdr.occurredAt !== answeredAt) fail('answered CDR time is not the answer time');
    if (cdr.answeredSec !== (callerHungUpAt - answeredAt) / 1000) fail('answeredsec ≠ hangup − answer');
    const answeredLeg = legs.find((leg) => leg.answeredAt !== null);
    if (answeredLeg?.agent !== cdr.agent) fail('the CDR names another agent than the leg that answered');
    outcome = 'answered';
    waitSec = (answeredAt - waiting.occurredAt!) / 1000;
    talkSec = cdr.answeredSec;
  } else {
    if (answeredAt !== null) fail('a missed call was answered');
    if (callerHungUpAt === null) return fail('missed call without the caller hanging up');
    if (cdr.occurredAt !== waiting.occurredAt) fail('missed CDR time is not the arrival time');
    if (cdr.waitedSec !== (callerHungUpAt - waiting.occurredAt!) / 1000) fail('waitedsec ≠ hangup − arrival');
    waitSec = cdr.waitedSec ?? fail('missed CDR without waitedsec');
    if (cdr.hasVoicemail === true) outcome = 'voicemail';
    else if (cdr.hangupReason === 'recv_bye') outcome = 'abandoned';
    else if (cdr.hangupReason !== null) outcome = 'missed';
    else outcome = callerHungUpAt !== null && answeredAt === null ? 'abandoned' : 'missed';
  }
  return {
    conversationUuid,
    from: waiting.from,
    arrivalAt: waiting.occurredAt!,
    answeredAt,
    callerHungUpAt,
    legs,
    cdr,
    outcome,
    waitSec,
    talkSec,
  };
}
