import { type Static, type TSchema, Type } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const NullableString = (description: string) => Nullable(Type.String({ description }));
const NullableNumber = (description: string) => Nullable(Type.Number({ description }));
const NullableBoolean = (description: string) => Nullable(Type.Boolean({ description }));

/** Which TeleCMI product sent a payload, as far as its shape tells. */
export const Product = Type.Union([Type.Literal('chub'), Type.Literal('piopiy'), Type.Literal('unknown')]);
export type Product = Static<typeof Product>;

/** What a payload is: a live event, a call detail record, or a request to route a call. */
export const EventKind = Type.Union([
  Type.Literal('event'),
  Type.Literal('cdr'),
  Type.Literal('routing-request'),
]);
export type EventKind = Static<typeof EventKind>;

/**
 * The normalised event that everything downstream of the receiver uses. Every field is derived from the raw
 * payload by {@link normalise}; `raw` keeps the exact text received, so all of it can be derived again.
 * Phone numbers are digit strings, times are epoch milliseconds, durations are seconds, and a field that the
 * payload does not carry is `null`.
 */
export const CallEvent = Type.Object(
  {
    id: Type.String({ description: 'Sortable id assigned on receipt (a ULID).' }),
    receivedAt: Type.Number({ description: 'When telehook received it, epoch milliseconds.' }),
    product: Product,
    kind: EventKind,
    status: NullableString("TeleCMI's status, lower-cased (in_answered, waiting, missed, …)."),
    phase: NullableString('The status without its PIOPIY in_/out_/stream_ prefix (answered, started, …).'),
    direction: NullableString('inbound or outbound, of this leg.'),
    leg: NullableString(
      'a (caller side) or b (agent side); inferred when the payload omits it and the ids tell.',
    ),
    appId: NullableString('Your TeleCMI app id (app_id or appid), as a digit string.'),
    callKey: NullableString(
      'The call this event belongs to: conversation_uuid, else call_id, request_id, parent_uid, else the leg id.',
    ),
    legId: NullableString('The leg id (cmiuuid, or the legacy cmiuid).'),
    conversationUuid: NullableString('conversation_uuid.'),
    callId: NullableString('call_id (CHUB outgoing calls).'),
    requestId: NullableString('request_id (click-to-call and PIOPIY API calls).'),
    parentLegId: NullableString('parent_uid (legacy outgoing events).'),
    occurredAt: NullableNumber("TeleCMI's time, epoch milliseconds."),
    from: NullableString('The calling number, digits.'),
    to: NullableString('The called number, digits.'),
    callerId: NullableString('callerid, digits.'),
    virtualNumber: NullableString('Your virtual number (virtual_number or vn), digits.'),
    agent: NullableString('The TeleCMI user, e.g. 204_2222223.'),
    team: NullableString('The TeleCMI team, e.g. Sales_2222223.'),
    ivr: NullableString('ivr_name.'),
    waitedSec: NullableNumber('waitedsec.'),
    answeredSec: NullableNumber('answeredsec.'),
    durationSec: NullableNumber('duration (PIOPIY).'),
    startedAt: NullableNumber('start_time (PIOPIY, sent in seconds), epoch milliseconds.'),
    answeredAt: NullableNumber('answer_time (PIOPIY, sent in seconds), epoch milliseconds.'),
    endedAt: NullableNumber('end_time (PIOPIY, sent in seconds), epoch milliseconds.'),
    hangupReason: NullableString('hangup_reason: sent_bye, recv_bye, recv_cancel, sent_reject.'),
    recorded: NullableBoolean('record.'),
    recording: NullableString('The recording file name (filename).'),
    hasVoicemail: NullableBoolean('voicemail (true when a voicemail was left).'),
    voicemail: NullableString('The voicemail file name (voicename).'),
    clickToCall: NullableBoolean('click_to_call.'),
    custom: Type.Unknown({
      description: 'custom, parsed when it is JSON, else the string as sent; null when absent.',
    }),
    extraParams: Type.Unknown({
      description: 'extra_params, parsed when it is JSON, else the string as sent.',
    }),
    wsStatus: Type.Unknown({ description: 'ws_status, parsed when it is JSON, else the string as sent.' }),
    warnings: Type.Array(Type.String(), {
      description: 'Where the payload differs from the documented types; never a reason to reject it.',
    }),
    raw: Type.String({
      description: 'The exact text received: the body, or for a GET the query string without the token.',
    }),
  },
  { $id: 'CallEvent' },
);

/** A normalised TeleCMI event. */
export type CallEvent = Static<typeof CallEvent>;
