import { readFileSync } from 'node:fs';

import { fc, test as property } from '@fast-check/vitest';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';

import { normalise } from './normalise.js';
import {
  PiopiyCmiuuidCdrAnswer,
  PiopiyRestCdr,
  RestCdrPage,
  RestCdrRow,
  RestVoicemailPage,
  RestVoicemailRow,
} from './payloads/rest-cdr.js';
import { createVoicemailMatcher, parseRestRow, type RestRowSource, restRowToPayload } from './rest-row.js';

const REST_DIR = new URL('../../test/fixtures/telecmi/rest/', import.meta.url);
const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`${name}.json`, REST_DIR), 'utf8')) as Record<string, unknown>;
const rowsOf = (name: string, key = 'cdr'): Record<string, unknown>[] =>
  load(name)[key] as Record<string, unknown>[];
const META = { id: 'evt-1', receivedAt: 1_700_000_000_000 };

/** Reads a row as the reconciler will: its exact text, parsed with its source, then normalised. */
function eventOf(row: Record<string, unknown>, source: RestRowSource) {
  const raw = JSON.stringify(row);
  const parsed = parseRestRow(raw, source);
  if (!parsed.ok) throw parsed.error;
  return normalise(parsed.value, META);
}

describe('REST rows as webhook CDRs (every documented row shape)', () => {
  it('reads a CHUB answered row: cmiuid is the leg id, agent the user, billedsec the talk time, record "true"', () => {
    const [row] = rowsOf('chub-answered');
    const event = eventOf(row!, { product: 'chub', list: 'answered', appId: 1111113 });
    expect(event).toMatchObject({
      product: 'chub',
      kind: 'cdr',
      status: 'answered',
      direction: 'inbound',
      leg: 'a',
      appId: '1111113',
      legId: '2b8f4f72-0d4c-4f2e-9a5a-6b1d2f3c4e5f',
      callKey: '2b8f4f72-0d4c-4f2e-9a5a-6b1d2f3c4e5f',
      agent: '101_1111113',
      from: '919100000000',
      to: '914461000000',
      occurredAt: 1571119921000,
      answeredSec: 15,
      recorded: true,
      recording: '1571119921000_1111113.mp3',
      waitedSec: null,
      hangupReason: null,
      hasVoicemail: null,
      warnings: [],
    });
    expect(event.raw).toBe(JSON.stringify(row));
  });

  it('reads a CHUB missed row as a missed inbound call with nothing it does not tell (no wait, no agent)', () => {
    const [row] = rowsOf('chub-missed');
    const event = eventOf(row!, { product: 'chub', list: 'missed', appId: '1111113' });
    expect(event).toMatchObject({
      status: 'missed',
      direction: 'inbound',
      legId: '7d2c9a10-3f1e-4b8a-8c6d-1e2f3a4b5c6d',
      from: '919100000001',
      to: '914461000000',
      agent: null,
      answeredSec: null,
      waitedSec: null,
      voicemail: null,
    });
  });

  it('reads CHUB outgoing rows whose from is a string and whose to is a number', () => {
    const [answered] = rowsOf('chub-out-answered');
    const [missed] = rowsOf('chub-out-missed');
    expect(eventOf(answered!, { product: 'chub', list: 'out_answered', appId: 1111113 })).toMatchObject({
      status: 'answered',
      direction: 'outbound',
      from: '919100000000',
      to: '914461000002',
      agent: '101_1111113',
      answeredSec: 25,
      recording: '1571121021000_1111113.mp3',
    });
    expect(eventOf(missed!, { product: 'chub', list: 'out_missed', appId: 1111113 })).toMatchObject({
      status: 'missed',
      direction: 'outbound',
      from: '919100000000',
      to: '914461000003',
      agent: '101_1111113',
      answeredSec: null,
    });
  });

  it('marks a missed row as a voicemail when the voicemail list has one from its caller', () => {
    const [row] = rowsOf('chub-missed');
    const voicemails = rowsOf('chub-voicemail', 'voicemail');
    const matcher = createVoicemailMatcher(voicemails);
    const event = eventOf(row!, {
      product: 'chub',
      list: 'missed',
      appId: 1111113,
      voicemail: matcher.match(row!),
    });
    expect(event).toMatchObject({ hasVoicemail: true, voicemail: '1571120149000_1111113.mp3' });
  });

  it('reads a CHUB India answered row: _id as the leg id, numbers as numbers, rate a string', () => {
    const [row] = rowsOf('chub-india-answered');
    expect(eventOf(row!, { product: 'chub-india', list: 'answered', appId: 1111113 })).toMatchObject({
      product: 'chub',
      status: 'answered',
      direction: 'inbound',
      legId: '5d9f3c2a8b1e4a0012345678',
      agent: '103_1111113',
      from: '9200000000',
      to: '4461000000',
      answeredSec: 117,
      recorded: true,
      warnings: [],
    });
  });

  it('reads a CHUB India outanswered row whose from is the user id as the user, not as a number', () => {
    const [row] = rowsOf('chub-india-outanswered');
    const withoutAgent = { ...row };
    delete withoutAgent['agent'];
    for (const candidate of [row!, withoutAgent])
      expect(
        eventOf(candidate, { product: 'chub-india', list: 'out_answered', appId: 1111113 }),
      ).toMatchObject({
        direction: 'outbound',
        agent: '209_1111113',
        from: null,
        to: '9100000000',
        answeredSec: 13,
      });
  });

  it('reads the assumed CHUB India missed and outmissed rows (not captured: answered and outanswered without the recording)', () => {
    const missed = {
      _id: '5d9f3c2a8b1e4a0012345680',
      to: 4461000000,
      time: 1570114018000,
      from: 9110000000,
      billedsec: 0,
      rate: '0.00',
      name: '',
    };
    const outMissed = {
      _id: '5d9f3c2a8b1e4a0012345681',
      to: 9100000000,
      time: 1570184113597,
      from: '103_1111113',
      billedsec: 0,
      rate: '0.00',
      name: '',
    };
    expect(eventOf(missed, { product: 'chub-india', list: 'missed', appId: 1111113 })).toMatchObject({
      status: 'missed',
      direction: 'inbound',
      from: '9110000000',
      legId: '5d9f3c2a8b1e4a0012345680',
    });
    expect(eventOf(outMissed, { product: 'chub-india', list: 'out_missed', appId: 1111113 })).toMatchObject({
      status: 'missed',
      direction: 'outbound',
      agent: '103_1111113',
      to: '9100000000',
    });
  });

  it('reads a PIOPIY cmiuuid_cdr answer with the cmiuuid asked for, strings for balance and rate', () => {
    const cdr = load('piopiy-cmiuuid-cdr')['cdr'] as Record<string, unknown>;
    const event = eventOf(cdr, {
      product: 'piopiy',
      list: 'cmiuuid_cdr',
      appId: 2222224,
      cmiuuid: 'leg-a-uuid',
    });
    expect(event).toMatchObject({
      product: 'piopiy',
      kind: 'cdr',
      status: 'answered',
      direction: 'inbound',
      leg: 'a',
      legId: 'leg-a-uuid',
      callKey: 'leg-a-uuid',
      from: '440000000001',
      to: '440000000000',
      durationSec: 13,
      appId: '2222224',
      warnings: [],
    });
  });

  it('reads PIOPIY requestid_cdr rows as the legs of one call, keyed by the request id', () => {
    const events = rowsOf('piopiy-requestid-cdr').map((row) =>
      eventOf(row, { product: 'piopiy', list: 'requestid_cdr', appId: 2222224, requestId: 'req-1' }),
    );
    expect(events.map((event) => [event.callKey, event.leg, event.direction, event.durationSec])).toEqual([
      ['req-1', 'a', 'outbound', 8],
      ['req-1', 'b', 'outbound', 6],
    ]);
  });
});

describe('the REST schemas', () => {
  const check = (schema: Parameters<typeof TypeCompiler.Compile>[0], value: unknown): boolean =>
    TypeCompiler.Compile(schema).Check(value);

  it('accept every documented answer and row, and refuse a page without its list', () => {
    for (const name of [
      'chub-answered',
      'chub-missed',
      'chub-out-answered',
      'chub-out-missed',
      'chub-india-answered',
      'chub-india-outanswered',
      'piopiy-requestid-cdr',
    ]) {
      expect(check(RestCdrPage, load(name)), name).toBe(true);
      for (const row of rowsOf(name))
        expect(check(name.startsWith('piopiy') ? PiopiyRestCdr : RestCdrRow, row), name).toBe(true);
    }
    for (const name of ['chub-voicemail', 'chub-india-voicemail']) {
      expect(check(RestVoicemailPage, load(name)), name).toBe(true);
      for (const row of rowsOf(name, 'voicemail')) expect(check(RestVoicemailRow, row), name).toBe(true);
    }
    expect(check(PiopiyCmiuuidCdrAnswer, load('piopiy-cmiuuid-cdr'))).toBe(true);
    expect(check(RestCdrPage, { count: 3 })).toBe(false);
  });
});

describe('parseRestRow', () => {
  const source: RestRowSource = { product: 'chub', list: 'answered', appId: 1111113 };

  it('keeps the row text exactly as received, spacing and number spelling included', () => {
    const raw = '{ "cmiuid": "c1", "rate": 1.500000, "billedsec": "15" }';
    const parsed = parseRestRow(raw, source);
    expect(parsed.ok && parsed.value.raw).toBe(raw);
    expect(parsed.ok && normalise(parsed.value, META).answeredSec).toBe(15);
  });

  it('answers an error, never throws, for a row that is not JSON or not one object', () => {
    expect(parseRestRow('{"cmiuid":', source)).toMatchObject({
      ok: false,
      error: { code: 'TELECMI_UNPARSEABLE' },
    });
    expect(parseRestRow('[1]', source)).toMatchObject({
      ok: false,
      error: { code: 'TELECMI_NOT_AN_OBJECT' },
    });
  });

  it('refuses a source that cannot be right, as a programming error', () => {
    expect(() => restRowToPayload({}, { product: 'piopiy', list: 'cmiuuid_cdr', appId: 1 })).toThrow(
      TypeError,
    );
    expect(() => restRowToPayload({}, { product: 'piopiy', list: 'answered', appId: 1 })).toThrow(TypeError);
    expect(() => restRowToPayload({}, { product: 'chub', list: 'cmiuuid_cdr', appId: 1 })).toThrow(TypeError);
  });

  property.prop(
    [
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.constantFrom('answered', 'missed', 'out_answered', 'out_missed' as const),
    ],
    {
      interruptAfterTimeLimit: 2000,
    },
  )('reads any JSON object of any list without throwing, and always as a CDR of its list', (row, list) => {
    const parsed = parseRestRow(JSON.stringify(row), { product: 'chub', list, appId: 7 });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const event = normalise(parsed.value, META);
    expect([event.kind, event.status, event.direction]).toEqual([
      'cdr',
      list.endsWith('answered') ? 'answered' : 'missed',
      list.startsWith('out_') ? 'outbound' : 'inbound',
    ]);
  });
});

describe('createVoicemailMatcher', () => {
  const missed = (from: number, time: number) => ({ cmiuid: `m${time}`, from, time });
  const voicemail = (from: number | string, time: number) => ({ from, time, voicename: `${time}.mp3` });

  it('gives each missed call the closest voicemail of its caller after it, and each voicemail once', () => {
    const matcher = createVoicemailMatcher([
      voicemail('919100000001', 1_700_000_300_000),
      voicemail(919100000001, 1_700_000_030_000),
      voicemail(919100000002, 1_700_000_010_000),
    ]);
    expect(matcher.match(missed(919100000001, 1_700_000_000_000))?.['time']).toBe(1_700_000_030_000);
    expect(matcher.match(missed(919100000001, 1_700_000_200_000))?.['time']).toBe(1_700_000_300_000);
    expect(matcher.match(missed(919100000001, 1_700_000_250_000))).toBeNull();
  });

  it('leaves a voicemail outside the window, or of another caller, alone', () => {
    const matcher = createVoicemailMatcher([
      voicemail(919100000001, 1_700_000_000_000 - 60_000),
      voicemail(919100000001, 1_700_000_000_000 + 31 * 60_000),
    ]);
    expect(matcher.match(missed(919100000001, 1_700_000_000_000))).toBeNull();
    expect(
      createVoicemailMatcher([voicemail(1, 1_700_000_000_000)]).match(missed(2, 1_700_000_000_000)),
    ).toBeNull();
  });
});
