import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { agentSummary, callFlows } from '../../test/helpers/call-flows.js';
import { loadFixtures } from '../../test/helpers/fixtures.js';
import { type CallEvent, normalise, parse } from '../telecmi/index.js';
import { chooseCallKey, identifiersOf } from './identifiers.js';
import { projectCall } from './projector.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const NOW = T0 + 3600_000;
let counter = 0;
const toEvent = (payload: Record<string, unknown>): CallEvent => {
  const parsed = parse(Buffer.from(JSON.stringify(payload)));
  if (!parsed.ok) throw parsed.error;
  counter += 1;
  return normalise(parsed.value, { id: `id-${counter}`, receivedAt: T0 + counter });
};
const fold = (events: CallEvent[], now = NOW) => {
  const ids = events.flatMap(identifiersOf);
  return projectCall(events, [...new Set(ids.map((id) => id.id))], chooseCallKey(ids), {
    now,
    staleAfterMs: 2 * 3600_000,
  });
};
/** The call without what depends on arrival (event ids and receipt times play no part anyway). */
const comparable = (events: CallEvent[]) => fold(events);

describe('projectCall over realistic flows', () => {
  for (const flow of callFlows(T0)) {
    // Orphan legs are linked by the store; here a flow is folded as one group of events.
    it(flow.name, () => {
      const call = fold(flow.payloads.map(toEvent));
      const { agentSummary: agents, ...fields } = flow.expected as { agentSummary?: string[] };
      expect(call).toMatchObject(fields);
      if (agents) expect(agentSummary(call.agents)).toEqual(agents);
      expect(call.eventCount).toBe(flow.payloads.length);
    });
  }

  it('keeps a call live while it waits and closes it as unknown once stale', () => {
    const [flow] = callFlows(T0);
    const waiting = toEvent(flow!.payloads[0]!);
    expect(fold([waiting], T0 + 10_000)).toMatchObject({ state: 'waiting', outcome: null, endedAt: null });
    expect(fold([waiting], T0 + 3 * 3600_000)).toMatchObject({
      state: 'ended',
      outcome: 'unknown',
      closedBy: 'stale',
    });
  });

  it('shows a call ringing while an agent leg rings, and answered while talking', () => {
    const [flow] = callFlows(T0);
    const events = flow!.payloads.map(toEvent);
    expect(fold(events.slice(0, 2), T0 + 5000).state).toBe('ringing');
    expect(fold(events.slice(0, 3), T0 + 23_000).state).toBe('waiting');
    expect(fold(events.slice(0, 7), T0 + 40_000)).toMatchObject({
      state: 'answered',
      outcome: null,
      answeredBy: '205_2222223',
    });
  });
});

describe('projectCall is a function of the set of events', () => {
  const flows = callFlows(T0).map((flow) => ({ name: flow.name, events: flow.payloads.map(toEvent) }));
  propertyTest.prop(
    [fc.constantFrom(...flows), fc.func(fc.integer()), fc.array(fc.nat(), { maxLength: 6 })],
    { numRuns: 300 },
  )('any order and any duplication give the same call', (flow, order, duplicates) => {
    const expected = comparable(flow.events);
    const shuffled = [...flow.events, ...duplicates.map((index) => flow.events[index % flow.events.length]!)]
      .map((event, index) => ({ event, rank: order(index) }))
      .sort((a, b) => a.rank - b.rank)
      .map(({ event }) => event);
    expect(comparable(shuffled)).toEqual({ ...expected, eventCount: shuffled.length });
  });
});

describe('the wait of a PIOPIY call', () => {
  const fixture = (name: string): Record<string, unknown> => {
    const found = loadFixtures().find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no fixture ${name}`);
    return found.payload;
  };
  // The documented answered CDR: start_time 1632318510, answer_time 1632318515 (epoch seconds).
  const cdr = fixture('piopiy-incoming-cdr-answered');
  const conv = cdr['conversation_uuid'] as string;
  const answerMs = (cdr['answer_time'] as number) * 1000;
  /** PIOPIY's in_answered live event for that call, its `time` `skewMs` off the CDR's answer_time. */
  const inAnswered = (skewMs: number) =>
    toEvent({
      ...fixture('piopiy-incoming-event-answered'),
      conversation_uuid: conv,
      time: answerMs + skewMs,
    });
  const hangup = toEvent({
    ...fixture('piopiy-incoming-event-hangup-earlier'),
    conversation_uuid: conv,
    time: (cdr['end_time'] as number) * 1000,
  });
  const now = answerMs + 3600_000;

  it('is answer_time − start_time of its CDR, even when in_answered is its first event', () => {
    // The live events' clock is not the CDR's: here in_answered's time is 6 s before the CDR's start_time.
    for (const skewMs of [0, -3000, -6000, 2000]) {
      const call = fold([inAnswered(skewMs), hangup, toEvent(cdr)], now);
      expect(call).toMatchObject({ outcome: 'answered', waitedSec: 5, talkSec: 13 });
    }
  });

  it('is unknown, not 0, while in_answered is all there is', () => {
    expect(fold([inAnswered(0)], answerMs + 10_000)).toMatchObject({ state: 'answered', waitedSec: null });
  });
});

describe('the outcome of a missed CDR without hangup_reason', () => {
  const templates = new Map(loadFixtures().map((fixture) => [fixture.name, fixture.payload]));
  const conv = 'c0ffee00-0000-4000-8000-000000000016';
  const cdr: Record<string, unknown> = {
    ...templates.get('chub-incoming-cdr-missed')!,
    conversation_uuid: conv,
    cmiuuid: conv,
    time: T0,
  };
  delete cdr['hangup_reason'];
  delete cdr['voicemail'];
  delete cdr['voicename'];
  const waiting = {
    ...templates.get('chub-incoming-event-waiting')!,
    conversation_uuid: conv,
    cmiuuid: conv,
  };

  it('is abandoned when the caller hung up unanswered: the hangup is the evidence (README, design.md)', () => {
    const hangup = { ...waiting, status: 'hangup', time: T0 + 40_000 };
    expect(fold([toEvent({ ...waiting, time: T0 }), toEvent(hangup), toEvent(cdr)]).outcome).toBe(
      'abandoned',
    );
  });

  it('is missed without that evidence', () => {
    expect(fold([toEvent({ ...waiting, time: T0 }), toEvent(cdr)]).outcome).toBe('missed');
  });
});
