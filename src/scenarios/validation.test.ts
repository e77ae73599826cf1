import { describe, expect, expectTypeOf, it } from 'vitest';

import {
  type CdrPayload,
  type LiveEventPayload,
  normalise,
  parse,
  type RoutingRequestPayload,
} from '../telecmi/index.js';
import { describeScenario, generateScenario, SCENARIO_NAMES } from './scenarios.js';
import { simulateCallCentre } from './simulation.js';
import type { ScheduledPayload } from './types.js';

const START = Date.UTC(2024, 4, 6, 9, 30);
const SEEDS = [1, 2, 3, 7, 42, 1234];

/**
 * What the library says of a generated payload: the parse error, or the warnings of its normalised event (a
 * value its schema or its limits refuse). A generator that drifts from the library's schemas shows up here.
 */
function complaints(generated: ScheduledPayload): string[] {
  const parsed = parse(JSON.stringify(generated.payload), 'application/json');
  if (!parsed.ok) return [`${generated.template}: ${parsed.error.code} ${parsed.error.message}`];
  const event = normalise(parsed.value, { id: 'x', receivedAt: 0 });
  return event.warnings.map((warning) => `${generated.template}: ${warning}`);
}

const cases = SCENARIO_NAMES.flatMap((name) =>
  describeScenario(name).products.map((product) => [name, product] as const),
);

describe.each(cases)('every payload of scenario %s for %s', (name, product) => {
  it('passes the library’s parse and validation without a warning, for several seeds', () => {
    const payloads = SEEDS.flatMap((seed) =>
      [false, true].flatMap((userMissedConversationUuid) =>
        generateScenario(name, { product, seed, startAt: START, userMissedConversationUuid }),
      ),
    );
    expect(payloads.length).toBeGreaterThan(0);
    expect(payloads.flatMap(complaints)).toEqual([]);
  });
});

describe.each(['chub', 'chub-india'] as const)('every payload of the simulation for %s', (product) => {
  it('passes the library’s parse and validation without a warning, for several seeds', () => {
    const payloads = SEEDS.slice(0, 3).flatMap(
      (seed) =>
        simulateCallCentre({
          product,
          agents: 3,
          teams: ['Sales', 'Support'],
          calls: 150,
          arrivalPerSec: 1 / 15,
          meanTalkSec: 90,
          meanPatienceSec: 60,
          maxWaitSec: 120,
          ringOutProbability: 0.3,
          seed,
          startAt: START,
        }).payloads,
    );
    expect(payloads.length).toBeGreaterThan(0);
    expect(payloads.flatMap(complaints)).toEqual([]);
  });
});

describe('the payload types', () => {
  // The builders' `satisfies` checks only what these types say: a field typed `unknown` would accept anything.
  it('type every field by its schema, so that a builder that sends the wrong type does not compile', () => {
    expectTypeOf<CdrPayload['time']>().toEqualTypeOf<number | string | undefined>();
    expectTypeOf<CdrPayload['record']>().toEqualTypeOf<boolean | string | undefined>();
    expectTypeOf<CdrPayload['from']>().toEqualTypeOf<string | number | undefined>();
    expectTypeOf<LiveEventPayload['cmiuuid']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<LiveEventPayload['custom']>().toEqualTypeOf<
      string | Record<string, unknown> | unknown[] | undefined
    >();
    expectTypeOf<RoutingRequestPayload['action']>().toEqualTypeOf<string | undefined>();
  });
});

describe('the check', () => {
  it('catches a payload the library warns about', () => {
    const [first] = generateScenario('incoming-answered', { seed: 1, startAt: START });
    expect(first).toBeDefined();
    const broken = { ...first!, payload: { ...first!.payload, time: { not: 'a time' } } };
    expect(complaints(broken)).not.toEqual([]);
  });
});
