import { describe, expect, it } from 'vitest';

import { readIncomingCall } from '../../test/helpers/incoming-calls.js';
import { classifyCall, SERVICE_LEVEL_SEC, SHORT_ABANDON_SEC } from './ground-truth.js';
import { simulateCallCentre, type SimulationOptions } from './simulation.js';

const START = Date.UTC(2024, 4, 6, 9, 0);
/** Busy enough that every outcome happens: 3 agents for a call every 20 s of 90 s each, patience 60 s. */
const BUSY: SimulationOptions = {
  agents: 3,
  teams: ['Sales', 'Support'],
  calls: 300,
  arrivalPerSec: 1 / 20,
  meanTalkSec: 90,
  meanPatienceSec: 60,
  maxWaitSec: 120,
  ringOutProbability: 0.3,
  seed: 11,
  startAt: START,
};
const mean = (values: number[]): number | null =>
  values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;

describe('simulateCallCentre', () => {
  it('gives the same calls and payloads for the same seed, and others for another seed', () => {
    const one = simulateCallCentre(BUSY);
    expect(simulateCallCentre(BUSY)).toEqual(one);
    const other = simulateCallCentre({ ...BUSY, seed: 12 });
    expect(other.payloads).not.toEqual(one.payloads);
    expect(other.truth).not.toEqual(one.truth);
  });

  it('plays every outcome when the centre is busy', () => {
    const { truth } = simulateCallCentre(BUSY);
    expect(truth.offered).toBe(300);
    for (const count of [
      truth.answered,
      truth.abandoned,
      truth.shortAbandoned,
      truth.missed,
      truth.voicemail,
    ])
      expect(count).toBeGreaterThan(0);
  });

  it.each([1, 2, 3, 4])('keeps the invariants of a call centre (seed %i)', (seed) => {
    const { calls, truth } = simulateCallCentre({ ...BUSY, seed });
    expect(truth.answered + truth.abandoned + truth.shortAbandoned + truth.missed + truth.voicemail).toBe(
      truth.offered,
    );
    for (const call of calls) {
      expect(call.waitSec).toBeGreaterThanOrEqual(0);
      if (call.outcome.kind === 'abandoned') expect(call.waitSec).toBe(call.patienceSec);
      else expect(call.waitSec).toBeLessThanOrEqual(call.patienceSec);
      if (call.outcome.kind === 'missed' || call.outcome.kind === 'voicemail') expect(call.waitSec).toBe(120);
      expect(call.legs.filter((leg) => leg.answeredAt !== null).length).toBe(
        call.outcome.kind === 'answered' ? 1 : 0,
      );
      for (const leg of call.legs) {
        expect(leg.startedAt).toBeGreaterThanOrEqual(call.arrivalAt);
        expect(leg.endedAt).toBeLessThanOrEqual(call.outcome.endedAt);
        // An unanswered leg rang out after exactly 20 s, or was cancelled earlier when the caller left.
        if (leg.answeredAt === null && leg.endedAt - leg.startedAt !== 20_000)
          expect(leg.endedAt).toBe(call.arrivalAt + call.waitSec * 1000);
      }
    }
    // No agent is on two calls at once.
    const byAgent = new Map<string, [number, number][]>();
    for (const leg of calls.flatMap((call) => call.legs)) {
      byAgent.set(leg.agent.id, [...(byAgent.get(leg.agent.id) ?? []), [leg.startedAt, leg.endedAt]]);
    }
    for (const intervals of byAgent.values()) {
      intervals.sort((a, b) => a[0] - b[0]);
      intervals.forEach(([start], index) => {
        if (index > 0) expect(start).toBeGreaterThanOrEqual(intervals[index - 1]![1]);
      });
    }
  });

  it('computes the ground truth with the documented definitions', () => {
    const { calls, truth } = simulateCallCentre(BUSY);
    const answered = calls.filter((call) => call.outcome.kind === 'answered');
    const unanswered = calls.filter((call) => call.outcome.kind === 'abandoned');
    expect(truth.answered).toBe(answered.length);
    expect(truth.abandoned).toBe(unanswered.filter((call) => call.waitSec >= SHORT_ABANDON_SEC).length);
    expect(truth.shortAbandoned).toBe(unanswered.filter((call) => call.waitSec < SHORT_ABANDON_SEC).length);
    expect(truth.asaSec).toBeCloseTo(mean(answered.map((call) => call.waitSec))!, 10);
    expect(truth.ahtSec).toBeCloseTo(mean(answered.map((call) => call.talkSec!))!, 10);
    const withinSl = answered.filter((call) => call.waitSec <= SERVICE_LEVEL_SEC).length;
    expect(truth.serviceLevel).toBeCloseTo(withinSl / (truth.answered + truth.abandoned), 10);
    expect(truth.abandonmentRate).toBeCloseTo(truth.abandoned / truth.offered, 10);
    expect(truth.from).toBe(START);
    const agents = Object.values(truth.agents);
    expect(agents).toHaveLength(3);
    expect(agents.reduce((sum, agent) => sum + agent.answered, 0)).toBe(truth.answered);
  });

  it.each(['chub', 'chub-india'] as const)(
    'sends payloads that, read back with telehook’s rules, tell exactly the ground truth (%s)',
    (product) => {
      const { calls, payloads, truth } = simulateCallCentre({ ...BUSY, product });
      const read = calls.map((call) => readIncomingCall(payloads.filter((sent) => sent.call === call.index)));
      const classes = read.map((call) =>
        classifyCall({
          outcome: { kind: call.outcome, endedAt: 0, voicemailAt: 0, hungUpBy: 'caller' },
          waitSec: call.waitSec,
        }),
      );
      expect(classes).toEqual(calls.map(classifyCall));
      const count = (kind: string): number => classes.filter((value) => value === kind).length;
      expect({
        offered: read.length,
        answered: count('answered'),
        abandoned: count('abandoned'),
        shortAbandoned: count('short-abandoned'),
        missed: count('missed'),
        voicemail: count('voicemail'),
      }).toEqual({
        offered: truth.offered,
        answered: truth.answered,
        abandoned: truth.abandoned,
        shortAbandoned: truth.shortAbandoned,
        missed: truth.missed,
        voicemail: truth.voicemail,
      });
      const answered = read.filter((call) => call.outcome === 'answered');
      expect(mean(answered.map((call) => call.waitSec))).toBeCloseTo(truth.asaSec!, 10);
      expect(mean(answered.map((call) => call.talkSec!))).toBeCloseTo(truth.ahtSec!, 10);
      for (const [id, agent] of Object.entries(truth.agents)) {
        const legs = read.flatMap((call) => call.legs).filter((leg) => leg.agent === id);
        expect(legs.filter((leg) => leg.answeredAt !== null)).toHaveLength(agent.answered);
        expect(legs.filter((leg) => leg.answeredAt === null)).toHaveLength(agent.rangNotAnswered);
        if (product === 'chub')
          expect(legs.filter((leg) => leg.missedCdr !== null)).toHaveLength(agent.rangNotAnswered);
      }
      expect(truth.to).toBe(payloads[payloads.length - 1]!.at);
      if (product === 'chub-india') expect(truth.missed).toBe(0);
    },
  );

  it('gives every caller a number of its own', () => {
    const { calls } = simulateCallCentre(BUSY);
    expect(new Set(calls.map((call) => call.from)).size).toBe(calls.length);
  });

  it('answers everyone quickly when agents are plenty, and answers nobody without time to answer', () => {
    const easy = simulateCallCentre({ ...BUSY, agents: 20, ringOutProbability: 0, meanPatienceSec: 1e6 });
    expect(easy.truth.answered).toBe(300);
    expect(easy.truth.serviceLevel).toBe(1);
    expect(Object.values(easy.truth.agents).every((agent) => agent.rangNotAnswered === 0)).toBe(true);
    const hopeless = simulateCallCentre({ ...BUSY, ringOutProbability: 1 });
    expect(hopeless.truth.answered).toBe(0);
    expect(hopeless.truth.asaSec).toBeNull();
    expect(hopeless.truth.serviceLevel).toBe(0);
  });

  it('returns an empty truth for no calls', () => {
    const { truth, payloads } = simulateCallCentre({ ...BUSY, calls: 0 });
    expect(payloads).toEqual([]);
    expect(truth).toMatchObject({
      offered: 0,
      asaSec: null,
      serviceLevel: null,
      abandonmentRate: null,
      from: null,
      to: null,
    });
  });

  it.each([
    [{ agents: 0 }, /agents/],
    [{ agents: 1 }, /every team needs an agent/],
    [{ teams: [] }, /teams/],
    [{ teams: ['Sales', 'Sales'] }, /repeat/],
    [{ arrivalPerSec: 0 }, /arrivalPerSec/],
    [{ meanTalkSec: -1 }, /meanTalkSec/],
    [{ ringOutProbability: 2 }, /ringOutProbability/],
    [{ calls: 1.5 }, /calls/],
  ])('refuses %j', (change, message) => {
    expect(() => simulateCallCentre({ ...BUSY, ...change })).toThrow(message);
  });
});
