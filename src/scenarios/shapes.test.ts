import { describe, expect, it } from 'vitest';

import { loadFixtures } from '../../test/helpers/fixtures.js';
import { normalise, parse } from '../telecmi/index.js';
import { describeScenario, generateScenario, SCENARIO_NAMES } from './scenarios.js';
import { simulateCallCentre } from './simulation.js';
import type { ScheduledPayload } from './types.js';

/** Keys the docs show as present only in some contexts (docs/telecmi-payloads.md §9.11): a payload may omit them. */
const OPTIONAL_KEYS = new Set([
  'record',
  'filename',
  'voicemail',
  'voicename',
  'request_id',
  'extra_params',
  'custom',
  'ivr_name',
  'virtual_number',
  'click_to_call',
]);
/** Keys a payload may add to its template: a third-party copy of the docs lists conversation_uuid here (§3.12). */
const ALLOWED_ADDITIONS: Record<string, readonly string[]> = {
  'chub-incoming-cdr-user-missed-leg-b': ['conversation_uuid'],
};

const fixtures = new Map(loadFixtures().map((fixture) => [fixture.name, fixture]));
const START = Date.UTC(2024, 4, 6, 9, 30);
const jsonType = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

function templateOf(generated: ScheduledPayload): Record<string, unknown> {
  const fixture = fixtures.get(generated.template);
  if (fixture === undefined) throw new Error(`No fixture named ${generated.template}`);
  return fixture.payload;
}

/** Everything wrong with a payload's shape, as sentences; empty when it follows its template. */
function shapeProblems(generated: ScheduledPayload): string[] {
  const template = templateOf(generated);
  const { payload } = generated;
  const problems: string[] = [];
  for (const key of Object.keys(template)) {
    if (!(key in payload) && !OPTIONAL_KEYS.has(key)) problems.push(`lacks ${key}`);
  }
  for (const [key, value] of Object.entries(payload)) {
    if (!(key in template)) {
      if (!(ALLOWED_ADDITIONS[generated.template] ?? []).includes(key)) problems.push(`adds ${key}`);
      continue;
    }
    const expected = template[key];
    if (jsonType(value) !== jsonType(expected))
      problems.push(`${key} is a ${jsonType(value)}, the template's a ${jsonType(expected)}`);
    // JSON-in-a-string fields stay strings holding JSON text.
    if (typeof expected === 'string' && /^\{.*\}$/.test(expected) && typeof value === 'string')
      expect(() => JSON.parse(value) as unknown, `${key} of ${generated.template}`).not.toThrow();
  }
  return problems.map((problem) => `${generated.template} ${problem}`);
}

function readAs(generated: ScheduledPayload): { kind: string; product: string; warnings: string[] } {
  const parsed = parse(JSON.stringify(generated.payload), 'application/json');
  if (!parsed.ok) throw new Error(`${generated.template}: ${parsed.error.message}`);
  const event = normalise(parsed.value, { id: 'x', receivedAt: 0 });
  return { kind: event.kind, product: event.product, warnings: event.warnings };
}

function expectedRead(generated: ScheduledPayload): { kind: string; product: string; warnings: string[] } {
  const fixture = fixtures.get(generated.template)!;
  return readAs({ ...generated, payload: fixture.payload });
}

const cases = SCENARIO_NAMES.flatMap((name) =>
  describeScenario(name).products.map((product) => [name, product] as const),
);

describe.each(cases)('scenario %s for %s', (name, product) => {
  const runs = [1, 2, 3, 42].map((seed) =>
    generateScenario(name, { product, seed, startAt: START, userMissedConversationUuid: seed === 2 }),
  );
  const payloads = runs.flat();

  it('gives every payload the keys of its template, give or take the optional ones, with the same JSON types', () => {
    expect(payloads.flatMap(shapeProblems)).toEqual([]);
  });

  it('sends payloads that parse() and normalise() read as the kind and product of their template, warning about nothing new', () => {
    for (const generated of payloads) {
      const expected = expectedRead(generated);
      const actual = readAs(generated);
      expect({ template: generated.template, ...actual }).toEqual({
        template: generated.template,
        ...expected,
      });
    }
  });

  it('follows only templates of its product', () => {
    const prefix =
      product === 'piopiy' ? /^piopiy-/ : product === 'chub-india' ? /^chub-india-/ : /^chub-(?!india)/;
    expect(payloads.filter((generated) => !prefix.test(generated.template))).toEqual([]);
  });
});

describe.each(['chub', 'chub-india'] as const)('the simulation for %s', (product) => {
  const { payloads } = simulateCallCentre({
    product,
    agents: 3,
    teams: ['Sales', 'Support'],
    calls: 120,
    arrivalPerSec: 1 / 20,
    meanTalkSec: 90,
    meanPatienceSec: 60,
    maxWaitSec: 120,
    ringOutProbability: 0.3,
    seed: 5,
    startAt: START,
  });

  it('plays every kind of payload an incoming call can have', () => {
    const templates = [...new Set(payloads.map((generated) => generated.template))].sort();
    expect(templates).toEqual(
      product === 'chub'
        ? [
            'chub-incoming-cdr-answered',
            'chub-incoming-cdr-missed',
            'chub-incoming-cdr-user-missed-leg-b',
            'chub-incoming-event-answered',
            'chub-incoming-event-answered-leg-b',
            'chub-incoming-event-hangup-leg-b',
            'chub-incoming-event-started-leg-b',
            'chub-incoming-event-waiting',
          ]
        : [
            'chub-india-incoming-cdr-answered',
            'chub-india-incoming-cdr-missed',
            'chub-india-incoming-event-started-leg-b',
            'chub-india-incoming-event-waiting',
          ],
    );
  });

  it('gives every payload the shape of its template', () => {
    expect(payloads.flatMap(shapeProblems)).toEqual([]);
  });

  it('sends payloads that parse() and normalise() read as their template', () => {
    for (const generated of payloads) expect(readAs(generated)).toEqual(expectedRead(generated));
  });
});
