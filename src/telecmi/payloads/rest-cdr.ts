import { type Static, Type } from '@sinclair/typebox';

import { Epoch, Flag, Id, PhoneNumber, Seconds } from './fields.js';

/**
 * What TeleCMI's REST API answers with: the call history lists, the voicemail list and the PIOPIY CDR look-ups
 * (docs/telecmi-payloads.md §8, docs/telecmi-rest.md). The REST vocabulary differs from the webhooks': `cmiuid`
 * (one "u"), `agent` instead of `user`, `record: "true"`, `billedsec`. Rows accept every value type seen in a
 * sample and keep unknown fields: a row is stored exactly as received and only read through these schemas.
 */

const DOCS = 'https://doc.telecmi.com';
const Money = (description: string) => Type.Union([Type.String(), Type.Number()], { description });

/**
 * One row of a CHUB (`/v2/answered`, `/v2/missed`, `/v2/out_answered`, `/v2/out_missed`) or CHUB India
 * (`/v1/answered`, `/v1/outanswered`, `/v1/missed`, `/v1/outmissed`) call history list.
 *
 * @see https://doc.telecmi.com/chub/docs/answered-call
 * @see https://doc.telecmi.com/chub/docs/out-missed
 */
export const RestCdrRow = Type.Object(
  {
    cmiuid: Type.Optional(Id(`The call's id, one "u" (CHUB). ${DOCS}/chub/docs/answered-call`)),
    _id: Type.Optional(Id('The row id (CHUB India), not documented as the webhook cmiuuid.')),
    duration: Type.Optional(Seconds(`Seconds; 0 on out_missed. ${DOCS}/chub/docs/out-missed`)),
    billedsec: Type.Optional(Seconds(`Billed seconds. ${DOCS}/chub/docs/answered-call`)),
    agent: Type.Optional(
      Type.String({ description: `The user, e.g. 101_1111113. ${DOCS}/chub/docs/answered-call` }),
    ),
    notes: Type.Optional(
      Type.Array(
        Type.Object(
          {
            msg: Type.Optional(Type.String()),
            date: Type.Optional(Epoch('')),
            agent: Type.Optional(Type.String()),
          },
          { additionalProperties: true },
        ),
        { description: `The agents' notes on the call. ${DOCS}/chub/docs/answered-call` },
      ),
    ),
    filename: Type.Optional(
      Type.String({ description: `Recording file, for the play API. ${DOCS}/chub/docs/play-record` }),
    ),
    rate: Type.Optional(
      Money(`Call rate: a number (CHUB), a string (CHUB India). ${DOCS}/chub/docs/out-answered`),
    ),
    record: Type.Optional(Flag(`"true" when recorded. ${DOCS}/chub/docs/answered-call`)),
    name: Type.Optional(Type.String({ description: 'A name (undocumented: the contact or the agent).' })),
    from: Type.Optional(
      PhoneNumber(
        `The caller: a number on incoming lists, a string on outgoing ones, a user id on CHUB India outanswered. ${DOCS}/chub/docs/out-answered`,
      ),
    ),
    to: Type.Optional(PhoneNumber(`The number called. ${DOCS}/chub/docs/answered-call`)),
    time: Type.Optional(Epoch(`Epoch milliseconds. ${DOCS}/chub/docs/answered-call`)),
  },
  { additionalProperties: true, $id: 'RestCdrRow' },
);
export type RestCdrRow = Static<typeof RestCdrRow>;

/**
 * One row of the voicemail list (CHUB `/v2/voicemail`, CHUB India `/v1/voicemail`). It names no call id: it is
 * tied to its missed call by caller and time ({@link findVoicemail}).
 *
 * @see https://doc.telecmi.com/chub/docs/voicemail
 */
export const RestVoicemailRow = Type.Object(
  {
    _id: Type.Optional(Id('The row id (CHUB India).')),
    time: Type.Optional(Epoch(`Epoch milliseconds. ${DOCS}/chub/docs/voicemail`)),
    from: Type.Optional(PhoneNumber(`The caller. ${DOCS}/chub/docs/voicemail`)),
    voicename: Type.Optional(
      Type.String({ description: `The file, for the play API. ${DOCS}/chub/docs/voicemail` }),
    ),
  },
  { additionalProperties: true, $id: 'RestVoicemailRow' },
);
export type RestVoicemailRow = Static<typeof RestVoicemailRow>;

/**
 * A PIOPIY CDR from `cmiuuid_cdr` (one object; `balance`/`rate` strings) or `requestid_cdr` (a list; numbers).
 * It carries no id of its own: the caller knows the cmiuuid or request id it asked for.
 *
 * @see https://doc.telecmi.com/piopiy/docs/get-cmiuuid
 * @see https://doc.telecmi.com/piopiy-india/docs/get-request-id
 */
export const PiopiyRestCdr = Type.Object(
  {
    duration: Type.Optional(Seconds(`Seconds. ${DOCS}/piopiy/docs/get-cmiuuid`)),
    balance: Type.Optional(Money(`Balance after the call. ${DOCS}/piopiy/docs/get-cmiuuid`)),
    rate: Type.Optional(Money(`Call rate. ${DOCS}/piopiy/docs/get-cmiuuid`)),
    from: Type.Optional(PhoneNumber(`The caller. ${DOCS}/piopiy/docs/get-cmiuuid`)),
    to: Type.Optional(PhoneNumber(`The number called. ${DOCS}/piopiy/docs/get-cmiuuid`)),
    time: Type.Optional(Epoch(`Epoch milliseconds. ${DOCS}/piopiy/docs/get-cmiuuid`)),
    leg: Type.Optional(Type.String({ description: `a or b. ${DOCS}/piopiy/docs/get-cmiuuid` })),
    direction: Type.Optional(
      Type.String({ description: `inbound or outbound. ${DOCS}/piopiy/docs/get-cmiuuid` }),
    ),
    status: Type.Optional(
      Type.String({ description: `answered or missed. ${DOCS}/piopiy/docs/get-cmiuuid` }),
    ),
  },
  { additionalProperties: true, $id: 'PiopiyRestCdr' },
);
export type PiopiyRestCdr = Static<typeof PiopiyRestCdr>;

/** The envelope every REST answer shares: `code: 200` when it worked, else a `code` and a `msg` (3P). */
const envelope = {
  code: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: '200 when it worked.' })),
  msg: Type.Optional(Type.String({ description: 'Why it did not (3P: errors come with msg).' })),
};

/** A page of a call history list: CHUB counts with `count`, CHUB India with `total` (all pages, not this one). */
export const RestCdrPage = Type.Object(
  {
    ...envelope,
    count: Type.Optional(Type.Number({ description: 'Rows in the whole window (CHUB).' })),
    total: Type.Optional(Type.Number({ description: 'Rows in the whole window (CHUB India).' })),
    cdr: Type.Array(Type.Unknown({ description: 'RestCdrRow' })),
  },
  { additionalProperties: true, $id: 'RestCdrPage' },
);
export type RestCdrPage = Static<typeof RestCdrPage>;

/** A page of the voicemail list. */
export const RestVoicemailPage = Type.Object(
  {
    ...envelope,
    count: Type.Optional(Type.Number()),
    total: Type.Optional(Type.Number()),
    voicemail: Type.Array(Type.Unknown({ description: 'RestVoicemailRow' })),
  },
  { additionalProperties: true, $id: 'RestVoicemailPage' },
);
export type RestVoicemailPage = Static<typeof RestVoicemailPage>;

/** The answer of PIOPIY `cmiuuid_cdr`: one CDR object. */
export const PiopiyCmiuuidCdrAnswer = Type.Object(
  { ...envelope, cdr: Type.Record(Type.String(), Type.Unknown({ description: 'PiopiyRestCdr' })) },
  { additionalProperties: true, $id: 'PiopiyCmiuuidCdrAnswer' },
);
export type PiopiyCmiuuidCdrAnswer = Static<typeof PiopiyCmiuuidCdrAnswer>;
