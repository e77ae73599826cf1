import { describe, expect, it } from 'vitest';

import { read, readIncomingCall } from '../../test/helpers/incoming-calls.js';
import { describeScenario, generateScenario, SCENARIO_NAMES } from './scenarios.js';

const START = Date.UTC(2024, 4, 6, 9, 30, 15, 789);
const T0 = Date.UTC(2024, 4, 6, 9, 30, 15);

describe('generateScenario', () => {
  it.each(SCENARIO_NAMES)(
    'plays %s the same way for the same seed, and with fresh ids for another',
    (name) => {
      const one = generateScenario(name, { seed: 4, startAt: START });
      expect(generateScenario(name, { seed: 4, startAt: START })).toEqual(one);
      const other = generateScenario(name, { seed: 5, startAt: START });
      const ids = (payloads: typeof one): string[] =>
        payloads.map((sent) => String(sent.payload['cmiuuid'] ?? sent.payload['conversation_uuid']));
      expect(ids(other).filter((id) => ids(one).includes(id))).toEqual([]);
    },
  );

  it.each(SCENARIO_NAMES)(
    'starts %s at the start time, rounded down to the second, and sends nothing earlier',
    (name) => {
      const payloads = generateScenario(name, { startAt: START });
      expect(payloads[0]!.at).toBe(T0);
      expect(payloads.every((sent, index) => index === 0 || sent.at >= payloads[index - 1]!.at)).toBe(true);
      expect(payloads.every((sent) => sent.at % 1000 === 0 && sent.call === 0)).toBe(true);
    },
  );

  it('uses the caller, team and agent it is given', () => {
    const payloads = generateScenario('incoming-answered', {
      from: '447700900123',
      team: 'Support',
      agent: '305',
      startAt: START,
    });
    const call = readIncomingCall(payloads);
    expect(call.from).toBe('447700900123');
    expect(call.cdr.agent).toBe('305_2222223');
    expect(call.cdr.team).toBe('Support_2222223');
    expect(call.cdr.to).toBe('919900000305');
  });

  it('refuses a product the scenario is not written for', () => {
    expect(() => generateScenario('piopiy-inbound-answered', { product: 'chub' })).toThrow(RangeError);
    expect(() => generateScenario('incoming-answered', { product: 'piopiy' })).toThrow(/chub, chub-india/);
    expect(describeScenario('outgoing-missed').products).toEqual(['chub', 'chub-india']);
  });
});

describe.each(['chub', 'chub-india'] as const)('the incoming scenarios for %s', (product) => {
  const play = (name: (typeof SCENARIO_NAMES)[number], seed = 1) =>
    readIncomingCall(generateScenario(name, { product, seed, startAt: START }));

  it('incoming-answered: answered by the agent rung, with the talk time between answer and hangup', () => {
    for (const seed of [1, 2, 3]) {
      const call = play('incoming-answered', seed);
      expect(call.outcome).toBe('answered');
      expect(call.legs).toHaveLength(1);
      expect(call.cdr.agent).toBe(call.legs[0]!.agent);
      expect(call.talkSec).toBeGreaterThanOrEqual(30);
      if (product === 'chub') expect(['recv_bye', 'sent_bye']).toContain(call.cdr.hangupReason);
      else expect(call.cdr.hangupReason).toBeNull();
      expect(call.cdr.recorded).toBe(true);
    }
  });

  it('incoming-abandoned: the caller hangs up after waiting 10–60 s, no agent rung, no voicemail', () => {
    const call = play('incoming-abandoned');
    expect(call.outcome).toBe('abandoned');
    expect(call.legs).toEqual([]);
    expect(call.waitSec).toBeGreaterThanOrEqual(10);
    expect(call.cdr.hasVoicemail).toBeNull();
  });

  it('incoming-missed-voicemail: an agent rings out for 20 s, the queue gives up at 60 s, a voicemail is left', () => {
    const call = play('incoming-missed-voicemail');
    expect(call.outcome).toBe('voicemail');
    expect(call.cdr.voicemail).toMatch(/^\d{22}_\d+\.mp3$/);
    expect(call.legs).toHaveLength(1);
    expect(call.legs[0]!.hungUpAt! - call.legs[0]!.startedAt!).toBe(20_000);
    expect(call.waitSec).toBeGreaterThan(60);
    if (product === 'chub') expect(call.cdr.hangupReason).toBe('recv_bye');
  });

  it('incoming-agent-no-answer: the first agent rings out with a user-missed CDR, the next one answers', () => {
    const call = play('incoming-agent-no-answer');
    expect(call.outcome).toBe('answered');
    const [first, second] = call.legs;
    expect(first!.agent).toBe('201_' + (product === 'chub' ? '2222223' : '1111113'));
    expect(first!.answeredAt).toBeNull();
    expect(first!.hungUpAt! - first!.startedAt!).toBe(20_000);
    expect(second!.agent).toBe('202_' + (product === 'chub' ? '2222223' : '1111113'));
    expect(second!.startedAt).toBe(first!.hungUpAt);
    expect(call.cdr.agent).toBe(second!.agent);
    if (product === 'chub') {
      const missed = first!.missedCdr!;
      expect(missed).toMatchObject({ leg: 'b', direction: 'inbound', from: call.from, to: '919900000201' });
      expect(missed.conversationUuid).toBeNull();
    } else {
      // CHUB India documents no user-missed CDR.
      expect(first!.missedCdr).toBeNull();
    }
  });

  it('adds conversation_uuid to the user-missed CDR only when asked', () => {
    const payloads = generateScenario('incoming-agent-no-answer', {
      product,
      startAt: START,
      userMissedConversationUuid: true,
    });
    const call = readIncomingCall(payloads);
    if (product === 'chub') expect(call.legs[0]!.missedCdr!.conversationUuid).toBe(call.conversationUuid);
  });
});

describe.each(['chub', 'chub-india'] as const)('the click-to-call scenarios for %s', (product) => {
  it('outgoing-answered: one call_id and request_id on every payload, the CDR on the agent leg', () => {
    const events = generateScenario('outgoing-answered', {
      product,
      from: '447700900123',
      startAt: START,
    }).map(read);
    const cdr = events[events.length - 1]!;
    const legA = events[0]!;
    expect(legA).toMatchObject({
      leg: 'a',
      status: 'started',
      to: '447700900123',
      agent: '201_' + legA.appId,
    });
    expect(cdr).toMatchObject({ kind: 'cdr', status: 'answered', legId: legA.legId, to: '447700900123' });
    expect(new Set(events.map((event) => event.callId))).toEqual(new Set([legA.callId]));
    expect(new Set(events.map((event) => event.requestId))).toEqual(new Set([legA.requestId]));
    if (product === 'chub') expect(legA.requestId).toMatch(/^[0-9A-Za-z]{43}$/);
    const answeredB = events.find((event) => event.leg === 'b' && event.status === 'answered')!;
    const hangupA = events.find((event) => event.leg === 'a' && event.status === 'hangup')!;
    expect(cdr.occurredAt).toBe(answeredB.occurredAt);
    expect(cdr.answeredSec).toBe((hangupA.occurredAt! - answeredB.occurredAt!) / 1000);
    expect(events.map((event) => `${event.leg}:${event.status}`)).toEqual([
      'a:started',
      'a:answered',
      'b:started',
      'b:answered',
      ...(events[4]!.leg === 'b' ? ['b:hangup', 'a:hangup'] : ['a:hangup', 'b:hangup']),
      // The CHUB India CDR has no leg key.
      product === 'chub' ? 'a:answered' : 'null:answered',
    ]);
  });

  it('outgoing-missed: the customer never answers, a missed CDR at the start time', () => {
    const events = generateScenario('outgoing-missed', { product, startAt: START }).map(read);
    const cdr = events[events.length - 1]!;
    expect(events.some((event) => event.leg === 'b' && event.status === 'answered')).toBe(false);
    expect(cdr).toMatchObject({ status: 'missed', occurredAt: T0, legId: events[0]!.legId });
    if (product === 'chub') expect(cdr.hangupReason).toBe('recv_cancel');
  });
});

describe('the PIOPIY scenarios', () => {
  it('piopiy-inbound-answered: answer_url, in_answered, hangup and a CDR whose times and duration agree', () => {
    const events = generateScenario('piopiy-inbound-answered', { startAt: START, from: '12125550123' }).map(
      read,
    );
    expect(events.map((event) => `${event.kind}:${event.status}`)).toEqual([
      'routing-request:null',
      'event:in_answered',
      'event:hangup',
      'cdr:answered',
    ]);
    const [request, answered, hangup, cdr] = events as [
      (typeof events)[0],
      (typeof events)[0],
      (typeof events)[0],
      (typeof events)[0],
    ];
    expect(new Set(events.map((event) => event.legId))).toEqual(new Set([request.legId]));
    expect(cdr).toMatchObject({
      from: '12125550123',
      startedAt: T0,
      answeredAt: answered.occurredAt,
      endedAt: hangup.occurredAt,
      durationSec: (hangup.occurredAt! - answered.occurredAt!) / 1000,
      occurredAt: T0,
    });
  });

  it('piopiy-outbound-bridged: both legs share conversation_uuid == request_id; the CDR is leg A answered', () => {
    const events = generateScenario('piopiy-outbound-bridged', { startAt: START, from: '12125550123' }).map(
      read,
    );
    expect(events.map((event) => `${event.leg}:${event.status}`)).toEqual([
      'a:out_started',
      'a:out_answered',
      'b:out_started',
      'b:out_bridged',
      'a:answered',
    ]);
    const requestId = events[0]!.requestId!;
    expect(requestId).toMatch(/^[0-9A-Za-z]{43}$/);
    expect(
      events.every((event) => event.conversationUuid === requestId && event.requestId === requestId),
    ).toBe(true);
    expect(events[2]!.to).toBe('12125550123');
    const cdr = events[4]!;
    expect(cdr.legId).toBe(events[0]!.legId);
    expect(cdr.durationSec).toBe((cdr.receivedAt - 1000 - events[1]!.occurredAt!) / 1000);
  });
});
