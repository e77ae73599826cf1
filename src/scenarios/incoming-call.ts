import { chubIndiaIncoming } from './chub-india-payloads.js';
import { chubIncoming } from './chub-payloads.js';
import { createDigits, createUuid } from './identifiers.js';
import type { AgentLegFacts, IncomingFacts, IncomingPayloadSet } from './payload-sets.js';
import type { Prng } from './prng.js';
import { type Agent, APP_IDS, type ScheduledPayload, SECOND, type TemplatedPayload } from './types.js';

/** One agent's phone ringing for an incoming call. */
export interface AgentLeg {
  readonly agent: Agent;
  readonly startedAt: number;
  /** When the leg ended: rang out, was cancelled, or (answered) the call ended. */
  readonly endedAt: number;
  /** When the agent answered; null when the leg rang out or was cancelled. */
  readonly answeredAt: number | null;
}

/** How an incoming call ended. */
export type IncomingOutcome =
  | { readonly kind: 'answered'; readonly endedAt: number; readonly hungUpBy: 'caller' | 'agent' }
  /** The caller hung up before an answer. */
  | { readonly kind: 'abandoned'; readonly endedAt: number }
  /** The queue gave up at `voicemailAt`; the caller left a message and hung up at `endedAt`. */
  | { readonly kind: 'voicemail'; readonly voicemailAt: number; readonly endedAt: number }
  /** The queue gave up and hung up, no voicemail. */
  | { readonly kind: 'missed'; readonly endedAt: number };

/** An incoming call as it happened: what the payloads of {@link renderIncomingCall} tell. Times are whole seconds. */
export interface IncomingCall {
  readonly arrivalAt: number;
  /** The caller, E.164 digits. */
  readonly from: string;
  /** The queue's team, e.g. `Sales_2222223`. */
  readonly team: string;
  /** Every agent rung, in order; at most one answered. */
  readonly legs: readonly AgentLeg[];
  readonly outcome: IncomingOutcome;
}

/** How {@link renderIncomingCall} writes a call. */
export interface IncomingRenderOptions {
  readonly product: 'chub' | 'chub-india';
  /** Draws the ids and file names. */
  readonly rng: Prng;
  /** The call's index in its sequence ({@link ScheduledPayload.call}). */
  readonly call: number;
  /** The business number called. */
  readonly did: string;
  /** `custom`, as JSON text. */
  readonly custom: string;
  /** Add `conversation_uuid` to the leg-B "user missed" CDRs (undocumented; see chub-payloads.ts). */
  readonly userMissedConversationUuid?: boolean;
}

/** TeleCMI sends a CDR once the call (or the leg) is torn down: a second after its last live event. */
export const CDR_DELAY_MS = SECOND;

const PAYLOAD_SETS: Record<IncomingRenderOptions['product'], IncomingPayloadSet> = {
  chub: chubIncoming,
  'chub-india': chubIndiaIncoming,
};

/**
 * The payloads TeleCMI sends for an incoming call, in the order it sends them: the caller's `waiting`; per agent
 * rung a leg-B `started`, then either `answered` (with the caller's leg-A `answered`) or a leg-B `hangup` and a
 * "user missed" CDR; at the end the hangups and the call's CDR (answered, or missed with `waitedsec`).
 */
export function renderIncomingCall(call: IncomingCall, options: IncomingRenderOptions): ScheduledPayload[] {
  const set = PAYLOAD_SETS[options.product];
  const appId = APP_IDS[options.product];
  const facts: IncomingFacts = {
    appId,
    conversationUuid: createUuid(options.rng),
    from: call.from,
    did: options.did,
    team: call.team,
    custom: options.custom,
    ivrName: `${call.team.split('_')[0]?.toLowerCase() ?? 'main'}ivr`,
  };
  const out: ScheduledPayload[] = [];
  const push = (at: number, templated: TemplatedPayload | null): void => {
    if (templated !== null) out.push({ at, call: options.call, ...templated });
  };
  const { outcome } = call;
  const legs = call.legs.map((leg) => ({ ...leg, uuid: createUuid(options.rng) }));
  const endLeg = (leg: AgentLegFacts & AgentLeg): void => {
    push(leg.endedAt, set.legB(facts, leg, 'hangup', leg.endedAt));
    push(
      leg.endedAt + CDR_DELAY_MS,
      set.userMissedCdr(facts, leg, leg.endedAt, options.userMissedConversationUuid ?? false),
    );
  };
  // A leg still ringing when the caller hangs up ends because of that hangup, so it is told after it.
  const cancelledByCaller = (leg: AgentLeg): boolean =>
    outcome.kind === 'abandoned' && leg.answeredAt === null && leg.endedAt === outcome.endedAt;

  push(call.arrivalAt, set.legA(facts, 'waiting', call.arrivalAt));
  for (const leg of legs) {
    push(leg.startedAt, set.legB(facts, leg, 'started', leg.startedAt));
    if (leg.answeredAt !== null) {
      push(leg.answeredAt, set.legB(facts, leg, 'answered', leg.answeredAt));
      push(leg.answeredAt, set.legA(facts, 'answered', leg.answeredAt));
    } else if (!cancelledByCaller(leg)) {
      endLeg(leg);
    }
  }

  const cdrAt = outcome.endedAt + CDR_DELAY_MS;
  if (outcome.kind === 'answered') {
    const answered = legs.find((leg) => leg.answeredAt !== null);
    if (answered?.answeredAt == null) throw new RangeError('An answered call needs an answered leg.');
    const hangups = [
      set.legB(facts, answered, 'hangup', outcome.endedAt),
      set.legA(facts, 'hangup', outcome.endedAt),
    ];
    // Whoever hung up first is told first.
    if (outcome.hungUpBy === 'caller') hangups.reverse();
    for (const hangup of hangups) push(outcome.endedAt, hangup);
    push(
      cdrAt,
      set.answeredCdr(facts, {
        agent: answered.agent,
        answeredAt: answered.answeredAt,
        answeredSec: (outcome.endedAt - answered.answeredAt) / SECOND,
        hangupReason: outcome.hungUpBy === 'caller' ? 'recv_bye' : 'sent_bye',
        filename: `${call.arrivalAt}${createDigits(options.rng, 9)}_${appId}.mp3`,
      }),
    );
    return sortByTime(out);
  }

  push(outcome.endedAt, set.legA(facts, 'hangup', outcome.endedAt));
  for (const leg of legs) if (cancelledByCaller(leg)) endLeg(leg);
  push(
    cdrAt,
    set.missedCdr(facts, {
      arrivalAt: call.arrivalAt,
      waitedSec: (outcome.endedAt - call.arrivalAt) / SECOND,
      // The caller hangs up after leaving a voicemail too; only a queue that gives up cancels the call.
      hangupReason: outcome.kind === 'missed' ? 'recv_cancel' : 'recv_bye',
      voicename:
        outcome.kind === 'voicemail'
          ? `${outcome.voicemailAt}${createDigits(options.rng, 9)}_${appId}.mp3`
          : null,
    }),
  );
  return sortByTime(out);
}

/** A stable sort by send time: payloads of the same second keep the order they were written in. */
export function sortByTime(payloads: ScheduledPayload[]): ScheduledPayload[] {
  return payloads.sort((a, b) => a.at - b.at);
}
