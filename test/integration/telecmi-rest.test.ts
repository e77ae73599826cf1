import { describe, expect, it, onTestFinished } from 'vitest';

import {
  createTelecmiApi,
  type PageCursor,
  type RestList,
  type RestPage,
  TelecmiApiError,
  type TelecmiApiOptions,
} from '../../src/backfill/index.js';
import {
  createFakeTelecmi,
  FAKE_SECRET,
  type FakeTelecmi,
  sampleAudio,
} from '../../src/fake-telecmi/index.js';
import { generateScenario, simulateCallCentre } from '../../src/scenarios/index.js';
import {
  createVoicemailMatcher,
  normalise,
  parseRestRow,
  type RestCallList,
  type RestProduct,
} from '../../src/telecmi/index.js';

const START = Date.parse('2024-06-06T09:00:00Z');
const DAY = { from: START - 3_600_000, to: START + 86_400_000 };
const FAST = { tries: 3, baseDelayMs: 1, maxDelayMs: 5 };
const LISTS: RestCallList[] = ['answered', 'missed', 'out_answered', 'out_missed'];

async function startFake(): Promise<{ fake: FakeTelecmi; origin: string }> {
  const fake = createFakeTelecmi({ now: () => DAY.to });
  const origin = await fake.listen(0);
  onTestFinished(() => fake.close());
  return { fake, origin };
}

function client(origin: string, options: Partial<TelecmiApiOptions> = {}) {
  const api = createTelecmiApi({
    product: 'chub',
    appId: '2222223',
    secret: FAKE_SECRET,
    apiUrl: origin,
    retry: FAST,
    ...options,
  });
  onTestFinished(() => api.close());
  return api;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** A simulated day, every payload in the fake's history. */
function fillDay(fake: FakeTelecmi, product: 'chub' | 'chub-india', calls = 120) {
  const simulation = simulateCallCentre({
    product,
    agents: 6,
    teams: ['Sales', 'Support'],
    calls,
    arrivalPerSec: 6 / 60,
    meanTalkSec: 120,
    meanPatienceSec: 60,
    seed: 21,
    startAt: START,
  });
  fake.history.add(
    simulation.payloads.map((sent) => sent.payload),
    product,
  );
  return simulation;
}

/** Every call the REST history tells of, read as the reconciler will read it, with its outcome. */
async function readHistory(api: ReturnType<typeof client>, product: RestProduct) {
  const voicemails = createVoicemailMatcher(
    (await collect(api.rows('voicemail', DAY))).map((row) => row.row),
  );
  const events = [];
  for (const list of LISTS)
    for await (const { raw, row } of api.rows(list, DAY)) {
      const voicemail = list === 'missed' ? voicemails.match(row) : null;
      const parsed = parseRestRow(raw, { product, list, appId: api.appId, voicemail });
      if (!parsed.ok) throw parsed.error;
      events.push(normalise(parsed.value, { id: raw, receivedAt: 0 }));
    }
  return events;
}

describe('the REST client against the fake TeleCMI (real HTTP)', () => {
  it('reads back a simulated CHUB day: one row per call, every answered call with its agent and talk time', async () => {
    const { fake, origin } = await startFake();
    const simulation = fillDay(fake, 'chub');
    const events = await readHistory(client(origin), 'chub');

    expect(events.map((event) => event.legId).sort()).toEqual(
      simulation.calls.map((call) => call.key).sort(),
    );
    const answered = events.filter((event) => event.status === 'answered');
    expect(answered).toHaveLength(simulation.truth.answered);
    const byKey = new Map(simulation.calls.map((call) => [call.key, call]));
    for (const event of answered) {
      const call = byKey.get(event.legId!)!;
      expect(event.agent).toBe(call.legs.find((leg) => leg.answeredAt !== null)?.agent.id);
      expect(event.answeredSec).toBe(call.talkSec);
    }
    expect(events.filter((event) => event.hasVoicemail === true)).toHaveLength(simulation.truth.voicemail);
    // 120 calls in pages of 10: every list was read to its end, page after page.
    expect(fake.requests.filter((request) => request.path === '/v2/answered').length).toBeGreaterThan(2);
  });

  it('reads back a simulated CHUB India day through /v1 with the token', async () => {
    const { fake, origin } = await startFake();
    const simulation = fillDay(fake, 'chub-india', 40);
    const api = client(origin, { product: 'chub-india', appId: '1111113' });
    const events = await readHistory(api, 'chub-india');
    expect(events).toHaveLength(simulation.calls.length);
    expect(events.filter((event) => event.status === 'answered')).toHaveLength(simulation.truth.answered);
    expect(events.filter((event) => event.hasVoicemail === true)).toHaveLength(simulation.truth.voicemail);
    expect(fake.requests.every((request) => request.path.startsWith('/v1/') && request.status === 200)).toBe(
      true,
    );
  });

  it('says TELECMI_AUTH_FAILED, at once, for a wrong secret (the fake answers HTTP 407)', async () => {
    const { fake, origin } = await startFake();
    const error = await collect(client(origin, { secret: 'wrong' }).rows('answered', DAY)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TelecmiApiError);
    expect([
      (error as TelecmiApiError).code,
      (error as TelecmiApiError).status,
      fake.requests.length,
    ]).toEqual(['TELECMI_AUTH_FAILED', 407, 1]);
  });

  it('when TeleCMI answers 500 mid-list, fails with the pages read so far, and resumes from the last cursor', async () => {
    const { fake, origin } = await startFake();
    fillDay(fake, 'chub');
    const expected = (await collect(client(origin).rows('answered', DAY))).map((row) => row.raw);
    expect(expected.length).toBeGreaterThan(30);
    fake.faults.add({ answer: 'status', status: 500, path: '/v2/answered', after: 2 });

    const stored: string[] = [];
    let cursor: PageCursor | undefined;
    const error = await (async () => {
      for await (const page of client(origin).pages('answered', DAY)) {
        stored.push(...page.rows.map((row) => row.raw));
        cursor = page.next ?? undefined;
      }
    })().catch((caught: unknown) => caught);
    expect((error as TelecmiApiError).code).toBe('TELECMI_UNAVAILABLE');
    expect((error as TelecmiApiError).attempts).toBe(3);
    expect(stored).toEqual(expected.slice(0, 20));

    fake.faults.clear();
    const rest: RestPage[] = await collect(client(origin).pages('answered', DAY, { cursor }));
    expect([...stored, ...rest.flatMap((page) => page.rows.map((row) => row.raw))]).toEqual(expected);
    expect(rest.at(-1)?.next).toBeNull();
  });

  it('rides out a timeout and a reset connection by trying again', async () => {
    const { fake, origin } = await startFake();
    fillDay(fake, 'chub', 30);
    fake.faults.add({ answer: 'hang', times: 1 });
    fake.faults.add({ answer: 'reset', times: 1 });
    const rows = await collect(client(origin, { timeoutMs: 300 }).rows('answered', DAY));
    expect(rows.length).toBeGreaterThan(0);
    expect(fake.requests.slice(0, 2).map((request) => request.fault)).toEqual(['hang', 'reset']);

    fake.faults.add({ answer: 'hang' });
    const error = await collect(
      client(origin, { timeoutMs: 200, retry: { ...FAST, tries: 2 } }).rows('missed', DAY),
    ).catch((caught: unknown) => caught);
    expect((error as TelecmiApiError).code).toBe('TELECMI_TIMEOUT');
  });

  it('keeps one request in flight per app while several lists are read at once', async () => {
    const { fake, origin } = await startFake();
    fillDay(fake, 'chub', 40);
    fake.faults.add({ answer: 'delay', delayMs: 20 });
    const api = client(origin);
    await Promise.all(
      (['answered', 'missed', 'out_answered', 'voicemail'] as RestList[]).map((list) =>
        collect(api.rows(list, DAY)),
      ),
    );
    expect(fake.requests.length).toBeGreaterThan(4);
    expect(fake.maxInFlight('2222223')).toBe(1);
  });

  it('plays a recording from the history with Range, the secret only in the request TeleCMI receives', async () => {
    const { fake, origin } = await startFake();
    const simulation = fillDay(fake, 'chub', 10);
    const file = simulation.payloads
      .map((sent) => sent.payload['filename'])
      .find((name) => typeof name === 'string') as string;
    const api = client(origin);
    const answer = await api.play(file, { range: 'bytes=44-143' });
    const chunks: Buffer[] = [];
    for await (const chunk of answer.body) chunks.push(chunk as Buffer);
    const audio = sampleAudio(file);
    expect([answer.status, answer.contentType, answer.contentLength, answer.contentRange]).toEqual([
      206,
      'audio/wav',
      100,
      `bytes 44-143/${audio.length}`,
    ]);
    expect(Buffer.concat(chunks).equals(audio.subarray(44, 144))).toBe(true);
    expect(api.playUrlForLogs(file)).not.toContain(FAKE_SECRET);
    expect(fake.requests.at(-1)?.path).toBe('/v2/play');
    const missing = await api.play('nope.mp3').catch((caught: unknown) => caught);
    expect((missing as TelecmiApiError).code).toBe('TELECMI_NOT_FOUND');
  });

  it('looks up PIOPIY CDRs by cmiuuid and by request id', async () => {
    const { fake, origin } = await startFake();
    const payloads = generateScenario('piopiy-outbound-bridged', { seed: 3, startAt: START }).map(
      (sent) => sent.payload,
    );
    fake.history.add(payloads, 'chub');
    const cdrs = payloads.filter((payload) => payload['type'] === 'cdr' || 'duration' in payload);
    expect(cdrs.length).toBeGreaterThan(0);
    const api = client(origin, { product: 'piopiy', appId: '2222224' });
    const first = cdrs[0]!;
    const row = await api.cdrByCmiuuid(String(first['cmiuuid']));
    expect(row).not.toBeNull();
    const parsed = parseRestRow(row!.raw, {
      product: 'piopiy',
      list: 'cmiuuid_cdr',
      appId: '2222224',
      cmiuuid: String(first['cmiuuid']),
    });
    expect(parsed.ok && normalise(parsed.value, { id: 'x', receivedAt: 0 })).toMatchObject({
      product: 'piopiy',
      legId: first['cmiuuid'],
      kind: 'cdr',
    });
    expect(await api.cdrByCmiuuid('not-a-call')).toBeNull();
    const legs = await api.cdrsByRequestId(String(first['request_id']));
    expect(legs.length).toBe(cdrs.filter((cdr) => cdr['request_id'] === first['request_id']).length);
  });
});
