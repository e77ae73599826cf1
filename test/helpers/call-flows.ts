import { randomUUID } from 'node:crypto';

import { loadFixtures } from './fixtures.js';

/**
 * Realistic TeleCMI call flows built from the documented fixtures, with coherent ids and times: what TeleCMI
 * sends for one call, per product. Each flow says what the call must look like once folded.
 */
const templates = new Map(loadFixtures().map((fixture) => [fixture.name, fixture.payload]));
const from = (
  name: string,
  changes: Record<string, unknown>,
  drop: string[] = [],
): Record<string, unknown> => {
  const template = templates.get(name);
  if (!template) throw new Error(`no fixture ${name}`);
  const payload: Record<string, unknown> = { ...template, ...changes };
  for (const key of drop) delete payload[key];
  return payload;
};

export interface CallFlow {
  readonly name: string;
  readonly payloads: Record<string, unknown>[];
  /** Fields the folded call must have. */
  readonly expected: Record<string, unknown>;
}

const base62 = (): string => randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '').slice(0, 11);

/** Every flow, starting at t0 (epoch ms, whole seconds), from caller `caller`. */
export function callFlows(t0: number, caller = '440000000009'): CallFlow[] {
  const s = (seconds: number): number => t0 + seconds * 1000;
  const flows: CallFlow[] = [];

  {
    const conv = randomUUID();
    const legB1 = randomUUID();
    const legB2 = randomUUID();
    const common = { conversation_uuid: conv, from: caller };
    flows.push({
      name: 'chub incoming: first agent rings out (user-missed CDR without conversation_uuid), second answers',
      payloads: [
        from('chub-incoming-event-waiting', { ...common, cmiuuid: conv, time: s(0) }),
        from('chub-incoming-event-started-leg-b', {
          ...common,
          cmiuuid: legB1,
          user: '204_2222223',
          time: s(2),
        }),
        from('chub-incoming-event-hangup-leg-b', {
          ...common,
          cmiuuid: legB1,
          user: '204_2222223',
          time: s(22),
        }),
        from('chub-incoming-cdr-user-missed-leg-b', {
          cmiuuid: legB1,
          from: Number(caller),
          user: '204_2222223',
          team: 'Sales_2222223',
          time: s(22),
        }),
        from('chub-incoming-event-started-leg-b', {
          ...common,
          cmiuuid: legB2,
          user: '205_2222223',
          time: s(23),
        }),
        from('chub-incoming-event-answered-leg-b', {
          ...common,
          cmiuuid: legB2,
          user: '205_2222223',
          time: s(30),
        }),
        from('chub-incoming-event-answered', { ...common, cmiuuid: conv, time: s(30) }),
        from('chub-incoming-event-hangup-leg-b', {
          ...common,
          cmiuuid: legB2,
          user: '205_2222223',
          time: s(90),
        }),
        from('chub-incoming-event-waiting', { ...common, cmiuuid: conv, time: s(90), status: 'hangup' }),
        from('chub-incoming-cdr-answered', {
          cmiuuid: conv,
          conversation_uuid: conv,
          from: Number(caller),
          user: '205_2222223',
          time: s(30),
          answeredsec: 60,
        }),
      ],
      expected: {
        key: conv,
        direction: 'inbound',
        state: 'ended',
        outcome: 'answered',
        from: caller,
        to: '440000000001',
        startedAt: s(0),
        answeredAt: s(30),
        endedAt: s(90),
        waitedSec: 30,
        talkSec: 60,
        team: 'Sales_2222223',
        answeredBy: '205_2222223',
        recording: '1634720915260737218351_2222223.mp3',
        closedBy: 'cdr',
        agentSummary: ['204_2222223:no', '205_2222223:yes'],
        legOnly: false,
      },
    });
  }
  {
    const conv = randomUUID();
    const leg = randomUUID();
    flows.push({
      name: 'chub incoming: the caller hangs up while an agent rings (abandoned)',
      payloads: [
        from('chub-incoming-event-waiting', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: caller,
          time: s(0),
        }),
        from('chub-incoming-event-started-leg-b', {
          conversation_uuid: conv,
          cmiuuid: leg,
          from: caller,
          time: s(3),
        }),
        from('chub-incoming-event-hangup-leg-b', {
          conversation_uuid: conv,
          cmiuuid: leg,
          from: caller,
          time: s(12),
        }),
        from('chub-incoming-event-waiting', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: caller,
          time: s(12),
          status: 'hangup',
        }),
        from(
          'chub-incoming-cdr-missed',
          { conversation_uuid: conv, cmiuuid: conv, from: Number(caller), time: s(0), waitedsec: 12 },
          ['voicemail', 'voicename'],
        ),
      ],
      expected: {
        key: conv,
        outcome: 'abandoned',
        state: 'ended',
        waitedSec: 12,
        startedAt: s(0),
        endedAt: s(12),
        answeredBy: null,
        agentSummary: ['204_2222223:no'],
      },
    });
  }
  {
    const conv = randomUUID();
    flows.push({
      name: 'chub incoming: nobody answers, the caller leaves a voicemail',
      payloads: [
        from('chub-incoming-event-waiting', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: caller,
          time: s(0),
        }),
        from('chub-incoming-event-waiting', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: caller,
          time: s(150),
          status: 'hangup',
        }),
        from('chub-incoming-cdr-missed', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: Number(caller),
          time: s(0),
          waitedsec: 127,
        }),
      ],
      expected: {
        key: conv,
        outcome: 'voicemail',
        waitedSec: 127,
        voicemail: '1634721220656289350027_2222223.mp3',
        ivr: 'salesivr',
      },
    });
  }
  {
    const conv = randomUUID();
    flows.push({
      name: 'chub incoming: the queue times out (missed, recv_cancel), CDR only',
      payloads: [
        from(
          'chub-incoming-cdr-missed',
          {
            conversation_uuid: conv,
            cmiuuid: conv,
            from: Number(caller),
            time: s(0),
            waitedsec: 300,
            hangup_reason: 'recv_cancel',
          },
          ['voicemail', 'voicename'],
        ),
      ],
      expected: {
        key: conv,
        outcome: 'missed',
        waitedSec: 300,
        startedAt: s(0),
        endedAt: s(300),
        closedBy: 'cdr',
      },
    });
  }
  {
    const conv = randomUUID();
    const leg = randomUUID();
    flows.push({
      name: 'chub india incoming answered (numbers as numbers, no leg key on the agent leg, CDR without conversation_uuid)',
      payloads: [
        from('chub-india-incoming-event-waiting', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: Number(caller),
          time: s(0),
        }),
        from('chub-india-incoming-event-started-leg-b', {
          conversation_uuid: conv,
          cmiuuid: leg,
          from: Number(caller),
          time: s(4),
        }),
        from('chub-india-incoming-cdr-answered', {
          cmiuuid: conv,
          from: Number(caller),
          user: '109_1111113',
          time: s(9),
          answeredsec: 40,
        }),
      ],
      expected: {
        key: conv,
        outcome: 'answered',
        direction: 'inbound',
        answeredAt: s(9),
        waitedSec: 9,
        talkSec: 40,
        endedAt: s(49),
        team: 'Support_1111113',
        answeredBy: '109_1111113',
      },
    });
  }
  {
    const conv = randomUUID();
    flows.push({
      name: 'chub india incoming: the caller hangs up, CDR missed without hangup_reason (abandoned from the events)',
      payloads: [
        from('chub-india-incoming-event-waiting', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: Number(caller),
          time: s(0),
        }),
        from('chub-india-incoming-event-waiting', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: Number(caller),
          time: s(40),
          status: 'hangup',
        }),
        from(
          'chub-india-incoming-cdr-missed',
          { cmiuuid: conv, from: Number(caller), time: s(0), waitedsec: 40 },
          ['voicemail', 'voicename'],
        ),
      ],
      expected: { key: conv, outcome: 'abandoned', waitedSec: 40 },
    });
  }
  {
    const legA = randomUUID();
    const legB = randomUUID();
    const callId = randomUUID();
    const requestId = base62();
    const common = { call_id: callId, request_id: requestId, conversation_uuid: legA, to: caller };
    flows.push({
      name: 'chub outgoing click-to-call answered (the CDR carries call_id, the events conversation_uuid too)',
      payloads: [
        from('chub-outgoing-event-started-leg-a', { ...common, cmiuuid: legA, time: s(0) }),
        from('chub-outgoing-event-answered-leg-a', { ...common, cmiuuid: legA, time: s(3) }),
        from('chub-outgoing-event-hangup-leg-b', { ...common, cmiuuid: legB, status: 'started', time: s(4) }),
        from('chub-outgoing-event-hangup-leg-b', {
          ...common,
          cmiuuid: legB,
          status: 'answered',
          time: s(10),
        }),
        from('chub-outgoing-event-hangup-leg-b', { ...common, cmiuuid: legB, time: s(70) }),
        from('chub-outgoing-event-hangup-leg-a', { ...common, cmiuuid: legA, time: s(70) }),
        from('chub-outgoing-cdr-answered-leg-a', {
          call_id: callId,
          request_id: requestId,
          cmiuuid: legA,
          to: Number(caller),
          time: s(10),
          answeredsec: 60,
        }),
      ],
      expected: {
        key: legA,
        direction: 'outbound',
        outcome: 'answered',
        to: caller,
        from: '442000000000',
        placedBy: '202_2222223',
        answeredAt: s(10),
        talkSec: 60,
        agentSummary: [],
      },
    });
  }
  {
    const legA = randomUUID();
    const callId = randomUUID();
    flows.push({
      name: 'chub outgoing: the customer does not answer (missed)',
      payloads: [
        from(
          'chub-outgoing-event-started-leg-a',
          { call_id: callId, conversation_uuid: legA, cmiuuid: legA, to: caller, time: s(0) },
          ['request_id', 'extra_params'],
        ),
        from(
          'chub-outgoing-event-hangup-leg-a',
          { call_id: callId, conversation_uuid: legA, cmiuuid: legA, to: caller, time: s(30) },
          ['request_id', 'extra_params'],
        ),
        from(
          'chub-outgoing-cdr-missed-leg-a',
          { call_id: callId, cmiuuid: legA, to: Number(caller), time: s(30) },
          ['request_id', 'extra_params'],
        ),
      ],
      expected: { key: legA, direction: 'outbound', outcome: 'missed', to: caller },
    });
  }
  {
    const conv = randomUUID();
    flows.push({
      name: 'piopiy inbound answered (times in seconds in the CDR, prefixed live status)',
      payloads: [
        from('piopiy-answer-url-request', { cmiuuid: conv, from: caller, time: s(0) }),
        from('piopiy-incoming-event-answered', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: Number(caller),
          time: s(2),
        }),
        from('piopiy-incoming-event-hangup-earlier', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: caller,
          time: s(47),
        }),
        from('piopiy-incoming-cdr-answered', {
          conversation_uuid: conv,
          cmiuuid: randomUUID(),
          from: Number(caller),
          time: s(0),
          start_time: (t0 / 1000) | 0,
          answer_time: ((t0 / 1000) | 0) + 2,
          end_time: ((t0 / 1000) | 0) + 47,
          duration: 45,
        }),
      ],
      expected: {
        key: conv,
        product: 'piopiy',
        direction: 'inbound',
        outcome: 'answered',
        waitedSec: 2,
        talkSec: 45,
        startedAt: s(0),
        answeredAt: s(2),
        endedAt: s(47),
      },
    });
  }
  {
    const conv = base62();
    const legA = randomUUID();
    const legB = randomUUID();
    const common = { conversation_uuid: conv, request_id: conv };
    flows.push({
      name: 'piopiy outbound bridged',
      payloads: [
        from('piopiy-outgoing-event-started-leg-a', {
          ...common,
          cmiuuid: legA,
          to: Number(caller),
          time: s(0),
        }),
        from('piopiy-outgoing-event-answered-leg-a', {
          ...common,
          cmiuuid: legA,
          to: Number(caller),
          time: s(5),
        }),
        from('piopiy-outgoing-event-started-leg-b', { ...common, cmiuuid: legB, time: s(6) }),
        from('piopiy-outgoing-event-bridged-leg-b', { ...common, cmiuuid: legB, time: s(9) }),
        from('piopiy-india-outgoing-cdr-answered-leg-a', {
          ...common,
          cmiuuid: legA,
          to: Number(caller),
          time: s(9),
          duration: 30,
        }),
      ],
      expected: {
        key: conv,
        product: 'piopiy',
        direction: 'outbound',
        outcome: 'answered',
        to: caller,
        answeredAt: s(9),
        talkSec: 30,
      },
    });
  }
  {
    const conv = randomUUID();
    const legB = randomUUID();
    flows.push({
      name: 'chub incoming, CDRs only: an agent lets it ring out (user-missed CDR linked by caller and time), another answers',
      payloads: [
        from('chub-incoming-cdr-user-missed-leg-b', {
          cmiuuid: legB,
          from: Number(caller),
          user: '301_2222223',
          team: 'Support_2222223',
          time: s(15),
        }),
        from('chub-incoming-cdr-answered', {
          cmiuuid: conv,
          conversation_uuid: conv,
          from: Number(caller),
          user: '302_2222223',
          team: 'Support_2222223',
          time: s(30),
          answeredsec: 20,
        }),
      ],
      expected: {
        key: conv,
        outcome: 'answered',
        answeredBy: '302_2222223',
        waitedSec: null,
        talkSec: 20,
        agentSummary: ['301_2222223:no', '302_2222223:yes'],
        legOnly: false,
      },
    });
  }
  {
    const conv = randomUUID();
    const leg = randomUUID();
    flows.push({
      name: 'chub incoming answered, live events only (no CDR configured)',
      payloads: [
        from('chub-incoming-event-waiting', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: caller,
          time: s(0),
        }),
        from('chub-incoming-event-started-leg-b', {
          conversation_uuid: conv,
          cmiuuid: leg,
          from: caller,
          time: s(5),
        }),
        from('chub-incoming-event-answered-leg-b', {
          conversation_uuid: conv,
          cmiuuid: leg,
          from: caller,
          time: s(8),
        }),
        from('chub-incoming-event-answered', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: caller,
          time: s(8),
        }),
        from('chub-incoming-event-hangup-leg-b', {
          conversation_uuid: conv,
          cmiuuid: leg,
          from: caller,
          time: s(128),
        }),
        from('chub-incoming-event-waiting', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: caller,
          time: s(128),
          status: 'hangup',
        }),
      ],
      expected: {
        key: conv,
        outcome: 'answered',
        closedBy: 'events',
        waitedSec: 8,
        talkSec: 120,
        answeredBy: '204_2222223',
        endedAt: s(128),
      },
    });
  }
  {
    const conv = randomUUID();
    flows.push({
      name: 'chub incoming, live events only: the caller hangs up unanswered (abandoned)',
      payloads: [
        from('chub-incoming-event-waiting', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: caller,
          time: s(0),
        }),
        from('chub-incoming-event-waiting', {
          conversation_uuid: conv,
          cmiuuid: conv,
          from: caller,
          time: s(3),
          status: 'hangup',
        }),
      ],
      expected: { key: conv, outcome: 'abandoned', closedBy: 'events', waitedSec: 3 },
    });
  }
  return flows;
}

/** A short summary of the agent legs for comparisons: "agent:yes|no". */
export const agentSummary = (agents: { agent: string; answered: boolean }[]): string[] =>
  agents.map((leg) => `${leg.agent}:${leg.answered ? 'yes' : 'no'}`);
