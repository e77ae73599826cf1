import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { agentSummary, callFlows } from '../../test/helpers/call-flows.js';
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
