import type { CdrPayload, LiveEventPayload } from '../telecmi/index.js';
import type { IncomingPayloadSet, OutgoingPayloadSet } from './payload-sets.js';

/**
 * CHUB (global, current revision) payloads, key for key and type for type as the documented samples in
 * test/fixtures/telecmi (docs/telecmi-payloads.md §3): live events carry phone numbers as strings and `app_id`;
 * CDRs carry numbers and `appid`; `custom` and `extra_params` are JSON text; `record`/`voicemail` are booleans.
 */

/** Incoming calls (§3.1–3.6, §3.10–3.12). */
export const chubIncoming: IncomingPayloadSet = {
  legA: (call, status, time) => ({
    // The current "incoming hangup leg A" sample was not captured (§3.3): its siblings share one shape, so the
    // hangup follows the waiting sample with another status.
    template: status === 'answered' ? 'chub-incoming-event-answered' : 'chub-incoming-event-waiting',
    payload: {
      type: 'event',
      direction: 'inbound',
      conversation_uuid: call.conversationUuid,
      cmiuuid: call.conversationUuid,
      from: call.from,
      app_id: call.appId,
      time,
      to: call.did,
      custom: call.custom,
      status,
    } satisfies LiveEventPayload,
  }),

  legB: (call, leg, status, time) => ({
    template: `chub-incoming-event-${status}-leg-b`,
    payload: {
      leg: 'b',
      type: 'event',
      team: leg.agent.team,
      user: leg.agent.id,
      conversation_uuid: call.conversationUuid,
      cmiuuid: leg.uuid,
      // TeleCMI dials the agent, so the agent's leg of an incoming call is outbound (§2).
      direction: 'outbound',
      from: call.from,
      app_id: call.appId,
      time,
      custom: call.custom,
      status,
    } satisfies LiveEventPayload,
  }),

  answeredCdr: (call, facts) => ({
    template: 'chub-incoming-cdr-answered',
    payload: {
      virtual_number: Number(call.did),
      custom: call.custom,
      appid: call.appId,
      type: 'cdr',
      direction: 'inbound',
      cmiuuid: call.conversationUuid,
      user: facts.agent.id,
      status: 'answered',
      to: Number(facts.agent.phone),
      from: Number(call.from),
      time: facts.answeredAt,
      answeredsec: facts.answeredSec,
      team: facts.agent.team,
      hangup_reason: facts.hangupReason,
      record: true,
      filename: facts.filename,
      conversation_uuid: call.conversationUuid,
      ivr_name: call.ivrName,
    } satisfies CdrPayload,
  }),

  missedCdr: (call, facts) => ({
    template: 'chub-incoming-cdr-missed',
    payload: {
      virtual_number: Number(call.did),
      custom: call.custom,
      appid: call.appId,
      type: 'cdr',
      direction: 'inbound',
      cmiuuid: call.conversationUuid,
      status: 'missed',
      from: Number(call.from),
      time: facts.arrivalAt,
      waitedsec: facts.waitedSec,
      hangup_reason: facts.hangupReason,
      // voicemail and voicename are only sent when a voicemail was left (§9.11).
      ...(facts.voicename === null ? {} : { voicemail: true, voicename: facts.voicename }),
      conversation_uuid: call.conversationUuid,
      team: call.team,
      ivr_name: call.ivrName,
    } satisfies CdrPayload,
  }),

  userMissedCdr: (call, leg, time, withConversationUuid) => ({
    template: 'chub-incoming-cdr-user-missed-leg-b',
    payload: {
      custom: call.custom,
      appid: call.appId,
      type: 'cdr',
      // The leg-B events say outbound, this leg-B CDR says inbound (§3.12, §9.10).
      direction: 'inbound',
      leg: 'b',
      cmiuuid: leg.uuid,
      user: leg.agent.id,
      status: 'missed',
      to: Number(leg.agent.phone),
      from: Number(call.from),
      time,
      team: leg.agent.team,
      hangup_reason: 'recv_cancel',
      // The documented sample has no conversation_uuid, so a receiver must link it by caller and time; a
      // third-party copy of the current docs lists one, which this option reproduces.
      ...(withConversationUuid ? { conversation_uuid: call.conversationUuid } : {}),
    } satisfies CdrPayload,
  }),
};

/** Click-to-calls (§3.7–3.9, §3.13, §3.14). */
export const chubOutgoing: OutgoingPayloadSet = {
  event: (call, leg, status, time) => ({
    // Only the hangup of leg B was captured (§3.9, §12.2); leg B's started and answered follow it with another
    // status, as its leg-A siblings differ from one another by status only.
    template: leg === 'a' ? `chub-outgoing-event-${status}-leg-a` : 'chub-outgoing-event-hangup-leg-b',
    payload: {
      call_id: call.callId,
      leg,
      type: 'event',
      user: call.agent.id,
      cmiuuid: leg === 'a' ? call.legAUuid : call.legBUuid,
      direction: 'outbound',
      callerid: call.callerId,
      app_id: call.appId,
      time,
      custom: call.custom,
      extra_params: call.extraParams,
      request_id: call.requestId,
      status,
      to: call.to,
      conversation_uuid: call.legAUuid,
    } satisfies LiveEventPayload,
  }),

  cdr: (call, facts) => ({
    template: facts.answered ? 'chub-outgoing-cdr-answered-leg-a' : 'chub-outgoing-cdr-missed-leg-a',
    payload: {
      // A string here, a number in incoming CDRs (§9.2).
      virtual_number: call.callerId,
      call_id: call.callId,
      custom: call.custom,
      leg: 'a',
      type: 'cdr',
      appid: call.appId,
      to: Number(call.to),
      cmiuuid: call.legAUuid,
      status: facts.answered ? 'answered' : 'missed',
      user: call.agent.id,
      time: facts.answered ? facts.answeredAt : facts.startedAt,
      direction: 'outbound',
      ...(facts.answered
        ? { answeredsec: facts.answeredSec, hangup_reason: facts.hangupReason }
        : { hangup_reason: 'recv_cancel' }),
      request_id: call.requestId,
      extra_params: call.extraParams,
    } satisfies CdrPayload,
  }),
};
