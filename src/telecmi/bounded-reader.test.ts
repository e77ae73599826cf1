import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import type { CallEvent } from './call-event.js';
import { LIMITS } from './limits.js';
import { normalise } from './normalise.js';
import { parse } from './parse.js';

const receipt = { id: 'id-1', receivedAt: 1 };
const head = '{"cmiuuid":"leg-1","appid":2222223,"type":"cdr","status":"answered"';
/** Normalises a CDR whose fields are given as JSON text (so that a 400-digit number stays one). */
const cdr = (fields: Record<string, string>): CallEvent => {
  const body = `${head}${Object.entries(fields)
    .map(([key, text]) => `,"${key}":${text}`)
    .join('')}}`;
  const result = parse(Buffer.from(body));
  if (!result.ok) throw result.error;
  return normalise(result.value, receipt);
};
const digits400 = '9'.repeat(400);

describe('durations out of range', () => {
  it.each([
    ['-5', '-5', '-5'],
    ['86401', '86401', '86401'],
    ['1e308', '1e308', '1e+308'],
    ['a 400-digit number', digits400, 'Infinity'],
    ['a 400-digit string', `"${digits400}"`, `"${'9'.repeat(24)}…"`],
    ['"-3"', '"-3"', '"-3"'],
    ['"soon"', '"soon"', '"soon"'],
  ])('reads a duration of %s as null, with a warning', (_name, text, shown) => {
    const event = cdr({ waitedsec: text, answeredsec: text, duration: text });
    expect([event.waitedSec, event.answeredSec, event.durationSec]).toEqual([null, null, null]);
    // A JSON number too large for a double also fails the payload schema ("Expected union value").
    expect(event.warnings.filter((warning) => !warning.endsWith('Expected union value'))).toEqual(
      ['waitedsec', 'answeredsec', 'duration'].map(
        (key) => `/${key}: ${shown} is not a duration from 0 to 86400 seconds; read as null`,
      ),
    );
  });

  it.each([
    ['0', 0],
    ['86400', 86_400],
    ['"127"', 127],
    ['13.5', 13.5],
  ])('keeps %s', (text, expected) => {
    const event = cdr({ waitedsec: text });
    expect(event.waitedSec).toBe(expected);
    expect(event.warnings).toEqual([]);
  });

  it('says nothing about an absent or empty value', () => {
    expect(cdr({ waitedsec: '""', answeredsec: '"  "' }).warnings).toEqual([]);
  });
});

describe('times out of range', () => {
  it.each([
    ['123456789012345678901234567890', '123456789012345678901234567890'],
    ['a 400-digit number', digits400],
    ['a 400-digit string', `"${digits400}"`],
    ['a negative time', '-1634724624830'],
    ['1999-12-31T23:59:59.999Z in ms', '946684799999'],
    ['2100-01-01 in ms', '4102444800000'],
    ['2100-01-01 in seconds', '4102444800'],
    ['"1999-12-31T23:59:59Z"', '"1999-12-31T23:59:59Z"'],
    ['"yesterday"', '"yesterday"'],
  ])('reads a time of %s as null, with a warning', (_name, text) => {
    const event = cdr({ time: text, start_time: text, answer_time: text, end_time: text });
    expect([event.occurredAt, event.startedAt, event.answeredAt, event.endedAt]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    const ours = event.warnings.filter((warning) => !warning.endsWith('Expected union value'));
    expect(ours).toHaveLength(4);
    expect(ours[0]).toMatch(/^\/time: .* is not a time from 2000-01-01 to 2100-01-01; read as null$/);
  });

  it.each([
    ['946684800000', LIMITS.earliestMs],
    ['4102444799999', LIMITS.latestMs - 1],
    ['1632318510', 1_632_318_510_000],
    ['"2021-10-20T10:10:24.830Z"', 1_634_724_624_830],
  ])('keeps %s', (text, expected) => {
    const event = cdr({ time: text });
    expect(event.occurredAt).toBe(expected);
    expect(event.warnings).toEqual([]);
  });

  it('reads 0 as an unset time, without a warning', () => {
    const event = cdr({ answer_time: '0', end_time: '"0"' });
    expect([event.answeredAt, event.endedAt, event.warnings]).toEqual([null, null, []]);
  });
});

describe('texts too long', () => {
  it(`reads a text of more than ${LIMITS.maxTextLength} characters as null, with a warning`, () => {
    const long = JSON.stringify('x'.repeat(LIMITS.maxTextLength + 1));
    const event = cdr({ team: long, user: long, from: long, status: long, hangup_reason: long });
    expect([event.team, event.agent, event.from, event.status, event.hangupReason]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(event.warnings).toContain(
      `/team: 257 characters, more than ${LIMITS.maxTextLength}; read as null`,
    );
    expect(cdr({ team: JSON.stringify('x'.repeat(LIMITS.maxTextLength)) }).team).toHaveLength(256);
  });

  it('reads a phone number sent as 1e308 as null rather than as 309 digits', () => {
    const event = cdr({ from: '1e308' });
    expect(event.from).toBeNull();
    expect(event.warnings).toEqual(['/from: 309 characters, more than 256; read as null']);
  });

  it(`keeps a file name of up to ${LIMITS.maxFileNameLength} characters`, () => {
    const url = `https://recordings.example/${'a'.repeat(1000)}.mp3`;
    expect(cdr({ filename: JSON.stringify(url) }).recording).toBe(url);
    expect(cdr({ filename: JSON.stringify('a'.repeat(LIMITS.maxFileNameLength + 1)) }).recording).toBeNull();
  });
});

/** The JSON text of a number- or time-like value: doubles, huge digit strings, numbers as strings, garbage. */
const numberText = fc.oneof(
  fc.double().map((value) => JSON.stringify(value)),
  fc.integer().map(String),
  fc.stringMatching(/^-?(0|[1-9]\d{0,399})(\.\d{1,6})?(e[+-]?\d{1,3})?$/),
  fc.stringMatching(/^-?\d{1,400}$/).map((digits) => JSON.stringify(digits)),
  fc.integer({ min: 0, max: 4_200_000_000_000 }).map(String),
  fc.date({ noInvalidDate: true }).map((date) => JSON.stringify(date.toISOString())),
  fc.string({ maxLength: 30 }).map((text) => JSON.stringify(text)),
);
const TIME_KEYS = ['time', 'start_time', 'answer_time', 'end_time'] as const;
const SECONDS_KEYS = ['waitedsec', 'answeredsec', 'duration'] as const;

describe('bounded values properties', () => {
  propertyTest.prop([fc.array(numberText, { minLength: 7, maxLength: 7 })], {
    numRuns: 400,
    interruptAfterTimeLimit: 4000,
  })(
    'normalise never yields a non-finite number, an out-of-range duration or an out-of-range time',
    (texts) => {
      const keys = [...TIME_KEYS, ...SECONDS_KEYS];
      const event = cdr(Object.fromEntries(keys.map((key, index) => [key, texts[index]!])));
      for (const time of [event.occurredAt, event.startedAt, event.answeredAt, event.endedAt]) {
        if (time === null) continue;
        expect(Number.isFinite(time)).toBe(true);
        expect(time).toBeGreaterThanOrEqual(LIMITS.earliestMs);
        expect(time).toBeLessThan(LIMITS.latestMs);
        expect(() => new Date(time).toISOString()).not.toThrow();
      }
      for (const seconds of [event.waitedSec, event.answeredSec, event.durationSec]) {
        if (seconds === null) continue;
        expect(seconds).toBeGreaterThanOrEqual(0);
        expect(seconds).toBeLessThanOrEqual(LIMITS.maxSeconds);
      }
    },
  );
});
