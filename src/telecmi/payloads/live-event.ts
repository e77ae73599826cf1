import { type Static, Type } from '@sinclair/typebox';

import { commonFields, JsonText } from './fields.js';

/**
 * A live call event (`type: "event"`): CHUB `waiting` / `started` / `answered` / `hangup`, PIOPIY
 * `in_answered` / `out_started` / `out_answered` / `out_bridged` / `stream_connected` / `STREAM_DISCONNECTED`.
 * Unknown fields are allowed and kept in the raw body.
 *
 * @see https://doc.telecmi.com/chub/docs/live-incoming-waiting
 * @see https://doc.telecmi.com/piopiy/docs/live-out-started
 */
export const LiveEventPayload = Type.Object(
  {
    ...commonFields,
    ws_status: Type.Optional(
      JsonText(
        'WebSocket stream status, as JSON text. https://doc.telecmi.com/piopiy/docs/live-stream-connected',
      ),
    ),
  },
  { additionalProperties: true, $id: 'LiveEventPayload' },
);

/** A live call event as TeleCMI sends it. */
export type LiveEventPayload = Static<typeof LiveEventPayload>;
