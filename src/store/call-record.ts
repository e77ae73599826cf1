import { type Static, type TSchema, Type } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Where a call is now. */
export const CallState = Type.Union([
  Type.Literal('waiting'),
  Type.Literal('ringing'),
  Type.Literal('answered'),
  Type.Literal('ended'),
]);
export type CallState = Static<typeof CallState>;

/** How a call ended; null while it is live. */
export const CallOutcome = Type.Union([
  Type.Literal('answered'),
  Type.Literal('abandoned'),
  Type.Literal('missed'),
  Type.Literal('voicemail'),
  Type.Literal('unknown'),
]);
export type CallOutcome = Static<typeof CallOutcome>;

/** One agent's leg of a call: TeleCMI rang this agent (leg b), who answered or not. */
export const AgentLeg = Type.Object({
  agent: Type.String({ description: 'The TeleCMI user, e.g. 204_2222223.' }),
  team: Nullable(Type.String()),
  legId: Nullable(Type.String({ description: 'The leg-b cmiuuid.' })),
  number: Nullable(Type.String({ description: 'The phone the agent was rung on, when TeleCMI says.' })),
  rangAt: Nullable(Type.Number({ description: 'When the agent started ringing, epoch ms.' })),
  answeredAt: Nullable(Type.Number()),
  endedAt: Nullable(Type.Number()),
  answered: Type.Boolean(),
  hangupReason: Nullable(Type.String()),
});
export type AgentLeg = Static<typeof AgentLeg>;

/**
 * One conversation, folded from all its events (live events and CDRs of every leg). A function of the set of
 * its events: any order and any duplication give the same call.
 */
export const Call = Type.Object(
  {
    key: Type.String({
      description:
        'The call: its conversation_uuid, else call_id, request_id, parent_uid, else the caller leg id.',
    }),
    product: Type.String({ description: 'chub, piopiy or unknown.' }),
    appId: Nullable(Type.String()),
    direction: Nullable(Type.String({ description: "inbound or outbound: the caller's leg's direction." })),
    from: Nullable(Type.String({ description: 'Inbound: the caller. Outbound: your caller id.' })),
    to: Nullable(Type.String({ description: 'Inbound: the number called. Outbound: the customer called.' })),
    virtualNumber: Nullable(Type.String()),
    state: CallState,
    outcome: Nullable(CallOutcome),
    startedAt: Type.Number({ description: 'When the call started (epoch ms): its first event, or its CDR.' }),
    answeredAt: Nullable(Type.Number()),
    endedAt: Nullable(Type.Number()),
    waitedSec: Nullable(
      Type.Number({ description: 'Seconds the caller waited before an answer or before the end.' }),
    ),
    talkSec: Nullable(Type.Number({ description: 'Seconds of conversation.' })),
    team: Nullable(Type.String()),
    ivr: Nullable(Type.String()),
    agents: Type.Array(AgentLeg),
    answeredBy: Nullable(Type.String({ description: 'The agent who answered (inbound).' })),
    placedBy: Nullable(Type.String({ description: 'The agent who placed the call (outbound).' })),
    recording: Nullable(Type.String({ description: 'Recording file name (TeleCMI filename).' })),
    voicemail: Nullable(Type.String({ description: 'Voicemail file name (TeleCMI voicename).' })),
    hangupReason: Nullable(Type.String()),
    custom: Type.Unknown(),
    eventCount: Type.Integer(),
    lastEventAt: Type.Number({ description: 'Time of the latest event, epoch ms.' }),
    closedBy: Nullable(
      Type.Union(
        [Type.Literal('cdr'), Type.Literal('events'), Type.Literal('stale'), Type.Literal('backfill')],
        {
          description:
            "What ended the call: its CDR, its live events, no end within the stale time, or (backfill) a row of TeleCMI's call history, the only thing known of the call.",
        },
      ),
    ),
    legOnly: Type.Boolean({
      description:
        'Only agent-leg events are known and they could not be linked to a caller leg yet; not counted as a call.',
    }),
    identifiers: Type.Array(Type.String(), {
      description: 'Every TeleCMI id of the call (conversation, call, request and leg ids).',
    }),
  },
  { $id: 'Call' },
);
export type Call = Static<typeof Call>;
