import { afterEach, describe, expect, it } from 'vitest';

import { loadFixtures } from '../../test/helpers/fixtures.js';
import { createFakeTelecmi, FAKE_APPS, FAKE_SECRET, type FakeTelecmi } from './server.js';
import { parseRange, sampleAudio } from './wav.js';

const NOW = 1_700_000_000_000;
let fake: FakeTelecmi;
afterEach(() => fake?.close());

/** `count` inbound answered CDRs, one a minute, newest last. */
function answeredCdrs(count: number, appid = 2222223) {
  return Array.from({ length: count }, (_, i) => ({
    appid,
    type: 'cdr',
    direction: 'inbound',
    cmiuuid: `call-${String(i).padStart(3, '0')}`,
    user: '201_2222223',
    status: 'answered',
    to: 919900000201,
    from: 447000000000 + i,
    time: NOW - (count - i) * 60_000,
    answeredsec: 30 + i,
    record: true,
    filename: `rec-${i}.mp3`,
  }));
}

const post = (url: string, payload: object) => fake.app.inject({ method: 'POST', url, payload });
const chub = (fields: object = {}) => ({
  appid: 2222223,
  secret: FAKE_SECRET,
  start_date: NOW - 86_400_000,
  end_date: NOW,
  ...fields,
});

describe('the fake TeleCMI REST API', () => {
  it('pages 10 rows at a time whatever limit asks, newest first, with count and code 200', async () => {
    fake = createFakeTelecmi({ now: () => NOW });
    await post('/_fake/history', answeredCdrs(25));
    const pages = [];
    for (const page of [1, 2, 3, 4])
      pages.push((await post('/v2/answered', chub({ page, limit: 20 }))).json());
    expect(pages.map((page: { cdr: unknown[] }) => page.cdr.length)).toEqual([10, 10, 5, 0]);
    expect(
      pages.every((page: { code: number; count: number }) => page.code === 200 && page.count === 25),
    ).toBe(true);
    const ids = pages.flatMap((page: { cdr: { cmiuid: string }[] }) => page.cdr.map((row) => row.cmiuid));
    expect(ids[0]).toBe('call-024');
    expect(new Set(ids).size).toBe(25);
  });

  it('selects rows by start_date and end_date, and by app', async () => {
    fake = createFakeTelecmi({ now: () => NOW });
    await post('/_fake/history', [
      ...answeredCdrs(5),
      ...answeredCdrs(3, 1111113).map((cdr) => ({ ...cdr, cmiuuid: `x${cdr.cmiuuid}` })),
    ]);
    const body = (
      await post('/v2/answered', chub({ start_date: NOW - 3 * 60_000, end_date: NOW - 2 * 60_000 }))
    ).json<{ cdr: { cmiuid: string }[] }>();
    expect(body.cdr.map((row) => row.cmiuid)).toEqual(['call-003', 'call-002']);
    const other = (await post('/v2/answered', { ...chub(), appid: 1111113 })).json<{ count: number }>();
    expect(other.count).toBe(3);
  });

  it('answers a wrong secret with HTTP 407 and code 407, and a missing one with 404', async () => {
    fake = createFakeTelecmi();
    const wrong = await post('/v2/missed', chub({ secret: 'nope' }));
    expect([wrong.statusCode, wrong.json<{ code: number }>().code]).toEqual([407, 407]);
    expect((await post('/v1/answered', chub())).statusCode).toBe(404);
    expect((await post('/v1/answered', { appid: 2222223, token: FAKE_SECRET })).json()).toMatchObject({
      code: 200,
      total: 0,
      cdr: [],
    });
  });

  it('answers CHUB India with total and PIOPIY look-ups with their documented shapes', async () => {
    // The PIOPIY samples' app id.
    fake = createFakeTelecmi({ apps: { ...FAKE_APPS, '2222222': FAKE_SECRET } });
    const fixtures = loadFixtures();
    const india = fixtures
      .filter((f) => f.name.startsWith('chub-india-') && f.name.includes('-cdr-'))
      .map((f) => f.payload);
    const addedIndia = (
      await fake.app.inject({ method: 'POST', url: '/_fake/history?product=chub-india', payload: india })
    ).json<{ added: object }>();
    expect(addedIndia.added).toEqual({
      answered: 1,
      missed: 1,
      voicemail: 1,
      out_answered: 1,
      out_missed: 1,
    });
    const out = (
      await post('/v1/outanswered', { appid: 1111113, token: FAKE_SECRET, start_date: 0, end_date: NOW })
    ).json();
    expect(out).toMatchObject({ code: 200, total: 1, cdr: [{ from: '103_1111113', rate: '0.6' }] });

    const piopiy = fixtures
      .filter((f) => /^piopiy-(incoming|outgoing)-cdr-/.test(f.name))
      .map((f) => JSON.stringify(f.payload));
    await fake.app.inject({
      method: 'POST',
      url: '/_fake/history',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: piopiy.join('\n'),
    });
    const one = await post('/v1/piopiy/cmiuuid_cdr', {
      appid: 2222222,
      secret: FAKE_SECRET,
      cmiuuid: '55348d77-c515-425d-b22c-f0c6ecd8d780',
    });
    expect(one.json()).toMatchObject({
      code: 200,
      cdr: { status: 'answered', balance: '878.900000', rate: '0.450000' },
    });
    const none = await post('/v1/piopiy/cmiuuid_cdr', {
      appid: 2222222,
      secret: FAKE_SECRET,
      cmiuuid: 'nope',
    });
    expect([none.statusCode, none.json<{ code: number }>().code]).toEqual([404, 404]);
  });

  it('plays a known file with Range: 200 whole, 206 part, 416 past the end, 404 unknown', async () => {
    fake = createFakeTelecmi();
    await post('/_fake/history', answeredCdrs(1));
    const url = (file: string) => `/v2/play?appid=2222223&secret=${FAKE_SECRET}&file=${file}`;
    const whole = await fake.app.inject({ url: url('rec-0.mp3') });
    const audio = sampleAudio('rec-0.mp3');
    expect([
      whole.statusCode,
      whole.headers['content-type'],
      Number(whole.headers['content-length']),
    ]).toEqual([200, 'audio/wav', audio.length]);
    expect(whole.rawPayload.equals(audio)).toBe(true);
    const part = await fake.app.inject({ url: url('rec-0.mp3'), headers: { range: 'bytes=100-199' } });
    expect([part.statusCode, part.headers['content-range'], part.rawPayload.length]).toEqual([
      206,
      `bytes 100-199/${audio.length}`,
      100,
    ]);
    expect(part.rawPayload.equals(audio.subarray(100, 200))).toBe(true);
    expect(
      (await fake.app.inject({ url: url('rec-0.mp3'), headers: { range: `bytes=${audio.length}-` } }))
        .statusCode,
    ).toBe(416);
    expect((await fake.app.inject({ url: url('other.mp3') })).statusCode).toBe(404);
    expect(
      (await fake.app.inject({ url: `/v2/play?appid=2222223&secret=bad&file=rec-0.mp3` })).statusCode,
    ).toBe(407);
  });

  it('injects faults: a 500 after N answers, a code in a 200 body, for a number of requests', async () => {
    fake = createFakeTelecmi({ faults: [{ answer: 'status', status: 500, after: 2, times: 1 }] });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await post('/v2/answered', chub())).statusCode);
    expect(statuses).toEqual([200, 200, 500, 200]);
    await post('/_fake/faults', { answer: 'body-code', code: 503, path: '/v2/missed' });
    expect((await post('/v2/answered', chub())).statusCode).toBe(200);
    const faulty = await post('/v2/missed', chub());
    expect([faulty.statusCode, faulty.json<{ code: number }>().code]).toEqual([200, 503]);
    expect((await post('/_fake/faults', { answer: 'explode' })).statusCode).toBe(400);
    expect(fake.requests.map((request) => request.fault)).toEqual([
      null,
      null,
      'status',
      null,
      null,
      'body-code',
    ]);
  });
});

describe('sample audio', () => {
  it('is a valid PCM WAV whose sizes add up, different per file', () => {
    const audio = sampleAudio('a.mp3');
    expect(audio.subarray(0, 4).toString()).toBe('RIFF');
    expect(audio.subarray(8, 12).toString()).toBe('WAVE');
    expect(audio.readUInt32LE(4)).toBe(audio.length - 8);
    expect(audio.readUInt32LE(40)).toBe(audio.length - 44);
    expect(audio.readUInt16LE(20)).toBe(1);
    expect(sampleAudio('b.mp3').equals(audio)).toBe(false);
  });

  it.each([
    [undefined, null],
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=90-', { start: 90, end: 99 }],
    ['bytes=-10', { start: 90, end: 99 }],
    ['bytes=95-200', { start: 95, end: 99 }],
    ['bytes=100-', 'unsatisfiable'],
    ['bytes=5-2', null],
    ['items=0-1', null],
  ])('reads Range %s over 100 bytes as %j', (header, expected) => {
    expect(parseRange(header, 100)).toEqual(expected);
  });
});
