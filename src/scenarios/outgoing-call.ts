import { chubIndiaOutgoing } from './chub-india-payloads.js';
import { chubOutgoing } from './chub-payloads.js';
import { createDigits, createRequestId, createUuid } from './identifiers.js';
import { CDR_DELAY_MS, sortByTime } from './incoming-call.js';
import type { OutgoingFacts, OutgoingPayloadSet } from './payload-sets.js';
import type { Prng } from './prng.js';
import { type Agent, APP_IDS, type ScheduledPayload, SECOND, type TemplatedPayload } from './types.js';

/**
 * A click-to-call as it happened: TeleCMI rings the agent (leg A); once the agent answers it dials the customer
 * (leg B). Times are whole seconds.
 */
export interface OutgoingCall {
  readonly agent: Agent;
  /** The customer, E.164 digits. */
  readonly to: string;
  /** Leg A starts ringing the agent. */
  readonly startedAt: number;
  /** The agent answers leg A, and leg B starts ringing the customer. */
  readonly agentAnsweredAt: number;
  readonly outcome:
    | {
        readonly answered: true;
        /** The customer answers leg B. */
        readonly answeredAt: number;
        readonly endedAt: number;
        readonly hungUpBy: 'customer' | 'agent';
      }
    /** The customer never answered; TeleCMI cancelled leg B and hung up leg A at `endedAt`. */
    | { readonly answered: false; readonly endedAt: number };
}

/** How {@link renderOutgoingCall} writes a call. */
export interface OutgoingRenderOptions {
  readonly product: 'chub' | 'chub-india';
  readonly rng: Prng;
  readonly call: number;
  /** The caller id the customer sees (your virtual number). */
  readonly callerId: string;
  readonly custom: string;
  readonly extraParams: string;
}

const PAYLOAD_SETS: Record<OutgoingRenderOptions['product'], OutgoingPayloadSet> = {
  chub: chubOutgoing,
  'chub-india': chubIndiaOutgoing,
};

/**
 * The payloads TeleCMI sends for a click-to-call: leg A `started` and `answered`, leg B `started` (and
 * `answered`), both hangups, then the leg-A CDR with the same `call_id` and `request_id` as the events.
 */
export function renderOutgoingCall(call: OutgoingCall, options: OutgoingRenderOptions): ScheduledPayload[] {
  const set = PAYLOAD_SETS[options.product];
  const appId = APP_IDS[options.product];
  const facts: OutgoingFacts = {
    appId,
    agent: call.agent,
    legAUuid: createUuid(options.rng),
    legBUuid: createUuid(options.rng),
    callId: createUuid(options.rng),
    requestId: createRequestId(options.rng),
    to: call.to,
    callerId: options.callerId,
    custom: options.custom,
    extraParams: options.extraParams,
  };
  const out: ScheduledPayload[] = [];
  const push = (at: number, templated: TemplatedPayload): void => {
    out.push({ at, call: options.call, ...templated });
  };
  const { outcome } = call;

  push(call.startedAt, set.event(facts, 'a', 'started', call.startedAt));
  push(call.agentAnsweredAt, set.event(facts, 'a', 'answered', call.agentAnsweredAt));
  push(call.agentAnsweredAt, set.event(facts, 'b', 'started', call.agentAnsweredAt));
  if (outcome.answered) push(outcome.answeredAt, set.event(facts, 'b', 'answered', outcome.answeredAt));
  const hangups = [
    set.event(facts, 'b', 'hangup', outcome.endedAt),
    set.event(facts, 'a', 'hangup', outcome.endedAt),
  ];
  if (outcome.answered && outcome.hungUpBy === 'agent') hangups.reverse();
  for (const hangup of hangups) push(outcome.endedAt, hangup);

  push(
    outcome.endedAt + CDR_DELAY_MS,
    set.cdr(
      facts,
      outcome.answered
        ? {
            answered: true,
            answeredAt: outcome.answeredAt,
            answeredSec: (outcome.endedAt - outcome.answeredAt) / SECOND,
            // sent_bye: ended by the user (the agent); recv_bye: ended by the other party (§9.9).
            hangupReason: outcome.hungUpBy === 'customer' ? 'recv_bye' : 'sent_bye',
            filename: `${call.startedAt}${createDigits(options.rng, 9)}_${appId}.mp3`,
          }
        : { answered: false, startedAt: call.startedAt },
    ),
  );
  return sortByTime(out);
}
