import type { Agent, TemplatedPayload } from './types.js';

/** What every payload of one incoming call shares. */
export interface IncomingFacts {
  readonly appId: number;
  /** The caller's leg id, which is also the conversation's (§2). */
  readonly conversationUuid: string;
  /** The caller, E.164 digits. */
  readonly from: string;
  /** The business number called, E.164 digits. */
  readonly did: string;
  /** The team whose queue the call waits in, e.g. `Sales_2222223`. */
  readonly team: string;
  /** `custom`: JSON text, as TeleCMI sends it. */
  readonly custom: string;
  readonly ivrName: string;
}

/** One agent's leg of an incoming call. */
export interface AgentLegFacts {
  readonly uuid: string;
  readonly agent: Agent;
}

/** The answered-call CDR's own facts. */
export interface AnsweredCdrFacts {
  readonly agent: Agent;
  readonly answeredAt: number;
  readonly answeredSec: number;
  /** `recv_bye`: the caller hung up; `sent_bye`: the agent did (§9.9). */
  readonly hangupReason: 'recv_bye' | 'sent_bye';
  readonly filename: string;
}

/** The missed-call CDR's own facts. */
export interface MissedCdrFacts {
  readonly arrivalAt: number;
  readonly waitedSec: number;
  /** `recv_bye`: the caller hung up (abandoned, or after a voicemail); `recv_cancel`: the queue gave up. */
  readonly hangupReason: 'recv_bye' | 'recv_cancel';
  /** The voicemail file name, or null when none was left. */
  readonly voicename: string | null;
}

/** The payload builders of one product's incoming calls (CHUB, CHUB India). */
export interface IncomingPayloadSet {
  legA(call: IncomingFacts, status: 'waiting' | 'answered' | 'hangup', time: number): TemplatedPayload;
  legB(
    call: IncomingFacts,
    leg: AgentLegFacts,
    status: 'started' | 'answered' | 'hangup',
    time: number,
  ): TemplatedPayload;
  answeredCdr(call: IncomingFacts, facts: AnsweredCdrFacts): TemplatedPayload;
  missedCdr(call: IncomingFacts, facts: MissedCdrFacts): TemplatedPayload;
  /** The leg-B "user missed" CDR, or null where the product documents none (CHUB India). */
  userMissedCdr(
    call: IncomingFacts,
    leg: AgentLegFacts,
    time: number,
    withConversationUuid: boolean,
  ): TemplatedPayload | null;
}

/** What every payload of one click-to-call shares. */
export interface OutgoingFacts {
  readonly appId: number;
  readonly agent: Agent;
  /** The agent's leg id, which is also the conversation's. */
  readonly legAUuid: string;
  /** The customer's leg id. */
  readonly legBUuid: string;
  readonly callId: string;
  readonly requestId: string;
  /** The customer, E.164 digits. */
  readonly to: string;
  /** The caller id shown to the customer (your virtual number). */
  readonly callerId: string;
  readonly custom: string;
  readonly extraParams: string;
}

/** The outcome of a click-to-call, as its CDR tells it. */
export type OutgoingCdrFacts =
  | {
      readonly answered: true;
      readonly answeredAt: number;
      readonly answeredSec: number;
      readonly hangupReason: 'recv_bye' | 'sent_bye';
      readonly filename: string;
    }
  | { readonly answered: false; readonly startedAt: number };

/** The payload builders of one product's click-to-calls (CHUB, CHUB India). */
export interface OutgoingPayloadSet {
  event(
    call: OutgoingFacts,
    leg: 'a' | 'b',
    status: 'started' | 'answered' | 'hangup',
    time: number,
  ): TemplatedPayload;
  cdr(call: OutgoingFacts, facts: OutgoingCdrFacts): TemplatedPayload;
}
