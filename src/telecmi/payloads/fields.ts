import {
  type TArray,
  type TBoolean,
  type TNumber,
  type TRecord,
  type TString,
  type TUnion,
  type TUnknown,
  Type,
} from '@sinclair/typebox';

/**
 * Field types shared by every TeleCMI payload family. TeleCMI's documentation disagrees with itself about
 * value types (docs/telecmi-payloads.md §9), so each field accepts every type seen in a documented sample.
 * Each helper names its exact TypeBox type (not a bare TSchema), so that `Static<typeof CdrPayload>` and its
 * siblings type the fields: code that builds payloads (the scenario generator) is checked against them.
 */

const DOCS = 'https://doc.telecmi.com';

/** A phone number: digits as a JSON number or a string, possibly with a leading zero (§9.2, §9.3). */
export const PhoneNumber = (description: string): TUnion<[TString, TNumber]> =>
  Type.Union([Type.String(), Type.Number()], { description });

/** A flag sent as a boolean or as the strings `"true"` / `"false"` (§9.4). */
export const Flag = (description: string): TUnion<[TBoolean, TString]> =>
  Type.Union([Type.Boolean(), Type.String({ pattern: '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$' })], {
    description,
  });

/** An epoch timestamp: `time` is in milliseconds, PIOPIY `start_time` etc. in seconds (§9.6). */
export const Epoch = (description: string): TUnion<[TNumber, TString]> =>
  Type.Union([Type.Number(), Type.String()], { description });

/** A duration in seconds. */
export const Seconds = (description: string): TUnion<[TNumber, TString]> =>
  Type.Union([Type.Number(), Type.String()], { description });

/** A string that usually holds JSON text, sometimes invalid JSON (§9.5). */
export const JsonText = (
  description: string,
): TUnion<[TString, TRecord<TString, TUnknown>, TArray<TUnknown>]> =>
  Type.Union([Type.String(), Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Unknown())], {
    description,
  });

/** An identifier TeleCMI assigns (UUIDs, base62 request ids). */
export const Id = (description: string): TString => Type.String({ description });

/** The fields every family may carry, with the doc page each came from. */
export const commonFields = {
  type: Type.Optional(
    Type.String({
      description: `"cdr" or "event"; absent from current PIOPIY samples (§9.7). ${DOCS}/chub/docs/webhooks-overview`,
    }),
  ),
  app_id: Type.Optional(
    Type.Union([Type.Number(), Type.String()], {
      description: `Your app id, in CHUB live events (§9.1). ${DOCS}/chub/docs/live-incoming-waiting`,
    }),
  ),
  appid: Type.Optional(
    Type.Union([Type.Number(), Type.String()], {
      description: `Your app id, in CDRs and PIOPIY payloads (§9.1). ${DOCS}/chub/docs/incoming-answered`,
    }),
  ),
  cmiuuid: Type.Optional(Id(`A unique identifier of this leg. ${DOCS}/chub/docs/live-incoming-waiting`)),
  cmiuid: Type.Optional(Id('Legacy (2019) spelling of cmiuuid (§7).')),
  conversation_uuid: Type.Optional(
    Id(`A unique identifier for the overall conversation. ${DOCS}/chub/docs/live-incoming-waiting`),
  ),
  call_id: Type.Optional(Id(`A unique ID of an outbound call. ${DOCS}/chub/docs/live-outgoing-out-started`)),
  request_id: Type.Optional(Id(`The click-to-call request id. ${DOCS}/chub/docs/live-outgoing-out-started`)),
  parent_uid: Type.Optional(Id('Legacy (2019) leg-A id on outgoing events (§7).')),
  status: Type.Optional(
    Type.String({ description: 'The status; vocabularies in §9.8. Unknown values are kept.' }),
  ),
  direction: Type.Optional(Type.String({ description: '"inbound" or "outbound", per leg (§2, §9.10).' })),
  leg: Type.Optional(
    Type.String({ description: `"a" (caller) or "b" (agent). ${DOCS}/chub/docs/live-outgoing-started` }),
  ),
  from: Type.Optional(
    PhoneNumber(`The call was made from this number. ${DOCS}/chub/docs/live-incoming-waiting`),
  ),
  to: Type.Optional(
    PhoneNumber(`Your DID number, or the number called. ${DOCS}/chub/docs/live-incoming-waiting`),
  ),
  callerid: Type.Optional(PhoneNumber(`Caller ID on this call. ${DOCS}/chub/docs/live-outgoing-out-started`)),
  vn: Type.Optional(
    PhoneNumber(`The virtual number shown to the customer. ${DOCS}/piopiy/docs/live-out-started`),
  ),
  user: Type.Optional(
    Type.String({ description: `The agent, "<extension>_<appid>". ${DOCS}/chub/docs/live-outgoing-started` }),
  ),
  team: Type.Optional(
    Type.String({ description: `The team, "<name>_<appid>". ${DOCS}/chub/docs/live-outgoing-started` }),
  ),
  time: Type.Optional(Epoch(`Epoch milliseconds of the status. ${DOCS}/chub/docs/live-incoming-waiting`)),
  custom: Type.Optional(
    JsonText(`Your custom parameters, as JSON text. ${DOCS}/chub/docs/live-incoming-waiting`),
  ),
  extra_params: Type.Optional(
    JsonText(
      `Your click-to-call parameters, as (often invalid) JSON text. ${DOCS}/piopiy/docs/live-in-answered`,
    ),
  ),
  click_to_call: Type.Optional(
    Flag(`Made through the click-to-call API. ${DOCS}/chub-india/docs/outgoing-missed`),
  ),
};
