import { type Static, Type } from '@sinclair/typebox';

import { commonFields, Epoch, Flag, PhoneNumber, Seconds } from './fields.js';

const DOCS = 'https://doc.telecmi.com';

/**
 * A call detail record (`type: "cdr"`), sent when a call (or one agent's leg of it) ends: CHUB / CHUB India
 * `answered` and `missed`, incoming and outgoing; PIOPIY CDRs with `duration` and epoch-second times.
 *
 * @see https://doc.telecmi.com/chub/docs/incoming-answered
 * @see https://doc.telecmi.com/piopiy/docs/inbound-webhooks-missed
 */
export const CdrPayload = Type.Object(
  {
    ...commonFields,
    virtual_number: Type.Optional(
      PhoneNumber(
        `Your virtual number: a number on incoming, a string on outgoing CDRs. ${DOCS}/chub/docs/incoming-answered`,
      ),
    ),
    answeredsec: Type.Optional(Seconds(`Talk time in seconds. ${DOCS}/chub/docs/incoming-answered`)),
    waitedsec: Type.Optional(
      Seconds(`How long the caller waited, in seconds. ${DOCS}/chub/docs/incoming-missed`),
    ),
    duration: Type.Optional(
      Seconds(`PIOPIY: total duration in seconds. ${DOCS}/piopiy/docs/inbound-webhooks-answered`),
    ),
    start_time: Type.Optional(
      Epoch(`PIOPIY: start, epoch seconds. ${DOCS}/piopiy/docs/inbound-webhooks-answered`),
    ),
    answer_time: Type.Optional(
      Epoch(`PIOPIY: answer, epoch seconds. ${DOCS}/piopiy/docs/inbound-webhooks-missed`),
    ),
    end_time: Type.Optional(
      Epoch(`PIOPIY: end, epoch seconds. ${DOCS}/piopiy/docs/inbound-webhooks-answered`),
    ),
    hangup_reason: Type.Optional(
      Type.String({
        description: `sent_bye, recv_bye, recv_cancel or sent_reject. ${DOCS}/chub/docs/incoming-answered`,
      }),
    ),
    record: Type.Optional(Flag(`Recording enabled. ${DOCS}/chub/docs/incoming-answered`)),
    filename: Type.Optional(
      Type.String({ description: `Recording file name. ${DOCS}/chub/docs/incoming-answered` }),
    ),
    voicemail: Type.Optional(Flag(`A voicemail was left. ${DOCS}/chub/docs/incoming-missed`)),
    voicename: Type.Optional(
      Type.String({ description: `Voicemail file name. ${DOCS}/chub/docs/incoming-missed` }),
    ),
    ivr_name: Type.Optional(
      Type.String({ description: `The IVR the call came through. ${DOCS}/chub/docs/incoming-missed` }),
    ),
    call_rate: Type.Optional(
      Type.Union([Type.String(), Type.Number()], {
        description: `PIOPIY billed rate. ${DOCS}/piopiy/docs/inbound-webhooks-answered`,
      }),
    ),
    balance: Type.Optional(
      Type.Union([Type.String(), Type.Number()], {
        description: `PIOPIY balance after the call. ${DOCS}/piopiy/docs/inbound-webhooks-answered`,
      }),
    ),
    out: Type.Optional(Flag('PIOPIY: outbound call (undocumented; earlier samples).')),
    api_init: Type.Optional(Flag('PIOPIY: started through the API (undocumented; earlier samples).')),
  },
  { additionalProperties: true, $id: 'CdrPayload' },
);

/** A call detail record as TeleCMI sends it. */
export type CdrPayload = Static<typeof CdrPayload>;
