import { type Static, Type } from '@sinclair/typebox';

import { Epoch, Id, PhoneNumber } from './fields.js';

/**
 * A request in which TeleCMI asks how to route a call: the CHUB HTTP web flow and the PIOPIY `answer_url`.
 * telehook stores it as an event of kind `routing-request`; answering with call routing is a later feature.
 *
 * @see https://doc.telecmi.com/chub/docs/http
 * @see https://doc.telecmi.com/piopiy/docs/play-file
 */
export const RoutingRequestPayload = Type.Object(
  {
    from: Type.Optional(PhoneNumber('The caller. https://doc.telecmi.com/chub/docs/http')),
    to: Type.Optional(PhoneNumber('The number called. https://doc.telecmi.com/chub/docs/http')),
    cmiuuid: Type.Optional(Id('The call id. https://doc.telecmi.com/chub/docs/http')),
    appid: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: 'Your app id.' })),
    action: Type.Optional(
      Type.String({
        description: 'PIOPIY: "inbound" or "outbound". https://doc.telecmi.com/piopiy/docs/play-file',
      }),
    ),
    time: Type.Optional(Epoch('Epoch milliseconds. https://doc.telecmi.com/piopiy/docs/play-file')),
  },
  { additionalProperties: true, $id: 'RoutingRequestPayload' },
);

/** A routing request as TeleCMI sends it. */
export type RoutingRequestPayload = Static<typeof RoutingRequestPayload>;
