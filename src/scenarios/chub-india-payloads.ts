import type { CdrPayload, LiveEventPayload } from '../telecmi/index.js';
import type { IncomingPayloadSet, OutgoingPayloadSet } from './payload-sets.js';

/**
 * CHUB India payloads, key for key and type for type as the documented samples (docs/telecmi-payloads.md §4):
 * phone numbers are JSON numbers, booleans are the strings `"true"`, there is no `custom`, no `hangup_reason`
 * and no `conversation_uuid` in CDRs (their `cmiuuid` is the caller's leg, which is the conversation's).
 */

/** Incoming calls (§4.1, §4.2, §4.4, §4.5). */
export const chubIndiaIncoming: IncomingPayloadSet = {
  // Only `waiting` was captured (§4.1); answered and hangup follow it with another status.
  legA: (call, status, time) => ({
    template: 'chub-india-incoming-event-waiting',
    payload: {
      type: 'event',
      direction: 'inbound',
      conversation_uuid: call.conversationUuid,
      cmiuuid: call.conversationUuid,
      from: Number(call.from),
      app_id: call.appId,
      time,
      to: Number(call.did),
      status,
    } satisfies LiveEventPayload,
  }),

  // Only `started` was captured, and it has no `leg` key (§4.2); answered and hangup follow it.
  legB: (call, leg, status, time) => ({
    template: 'chub-india-incoming-event-started-leg-b',
    payload: {
      type: 'event',
      team: leg.agent.team,
      user: leg.agent.id,
      conversation_uuid: call.conversationUuid,
      cmiuuid: leg.uuid,
      direction: 'outbound',
      from: Number(call.from),
      app_id: call.appId,
      time,
      status,
    } satisfies LiveEventPayload,
  }),

  answeredCdr: (call, facts) => ({
    template: 'chub-india-incoming-cdr-answered',
    payload: {
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
      record: 'true',
      filename: facts.filename,
    } satisfies CdrPayload,
  }),

  // No hangup_reason here: a receiver tells an abandoned call from a missed one by the caller's hangup event.
  missedCdr: (call, facts) => ({
    template: 'chub-india-incoming-cdr-missed',
    payload: {
      appid: call.appId,
      type: 'cdr',
      direction: 'inbound',
      cmiuuid: call.conversationUuid,
      status: 'missed',
      from: Number(call.from),
      time: facts.arrivalAt,
      waitedsec: facts.waitedSec,
      team: call.team,
      ...(facts.voicename === null ? {} : { voicemail: 'true', voicename: facts.voicename }),
    } satisfies CdrPayload,
  }),

  // CHUB India documents no "user missed" CDR (§4.7): an agent who rings out shows in the leg-B events only.
  userMissedCdr: () => null,
};

/** Click-to-calls (§4.3, §4.6, §4.7). */
export const chubIndiaOutgoing: OutgoingPayloadSet = {
  // Only leg A `started` was captured (§4.3); every other status and leg B follow it.
  event: (call, leg, status, time) => ({
    template: 'chub-india-outgoing-event-started-leg-a',
    payload: {
      leg,
      type: 'event',
      click_to_call: 'true',
      user: call.agent.id,
      cmiuuid: leg === 'a' ? call.legAUuid : call.legBUuid,
      direction: 'outbound',
      callerid: Number(call.callerId),
      app_id: call.appId,
      time,
      status,
      to: Number(call.to),
      conversation_uuid: call.legAUuid,
    } satisfies LiveEventPayload,
  }),

  cdr: (call, facts) =>
    facts.answered
      ? {
          template: 'chub-india-outgoing-cdr-answered',
          payload: {
            type: 'cdr',
            appid: call.appId,
            to: Number(call.to),
            cmiuuid: call.legAUuid,
            status: 'answered',
            user: call.agent.id,
            time: facts.answeredAt,
            direction: 'outbound',
            answeredsec: facts.answeredSec,
            click_to_call: 'true',
            record: 'true',
            filename: facts.filename,
          } satisfies CdrPayload,
        }
      : {
          template: 'chub-india-outgoing-cdr-missed',
          payload: {
            type: 'cdr',
            appid: call.appId,
            to: Number(call.to),
            cmiuuid: call.legAUuid,
            status: 'missed',
            user: call.agent.id,
            time: facts.startedAt,
            direction: 'outbound',
            click_to_call: 'true',
          } satisfies CdrPayload,
        },
};
