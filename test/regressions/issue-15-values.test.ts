import { describe, expect, it, onTestFinished } from 'vitest';

import { createCallFold, projectCall } from '../../src/calls/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openApp } from '../../src/open-app.js';
import type { Call, CallFold } from '../../src/store/index.js';
import { normalise, parse } from '../../src/telecmi/index.js';
import { generateToken } from '../../src/tokens.js';
import { openSse } from '../helpers/sse-client.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Issue 15 ("One bad request must never break the wallboard"), the part about values: deep nesting, huge and
 * absurd numbers. Each hostile request is answered in the documented shape, and afterwards every read route
 * still answers 200 and a normal call is folded.
 */
const T0 = Date.UTC(2026, 2, 10, 9, 0, 0);
const brackets = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const digits400 = '9'.repeat(400);

/** A valid waiting event of its own call, as JSON text, with `extra` appended verbatim (numbers as sent). */
const waiting = (id: string, extra = ''): string =>
  `{"appid":2222223,"type":"event","direction":"inbound","cmiuuid":"${id}","conversation_uuid":"${id}",` +
  `"from":440000000001,"to":440000000000,"status":"waiting","time":${T0}${extra}}`;
const answeredCdr = (id: string, extra: string): string =>
  `{"appid":2222223,"type":"cdr","direction":"inbound","cmiuuid":"${id}","conversation_uuid":"${id}",` +
  `"from":440000000001,"to":440000000000,"status":"answered","user":"204_2222223","time":${T0}${extra}}`;

interface Hostile {
  readonly name: string;
  readonly body: string;
  readonly contentType?: string;
  /** Refused (and quarantined) with this code; accepted when absent. */
  readonly code?: string;
  /** What the stored event's warnings say about it. */
  readonly warning?: RegExp;
}

const HOSTILE: Hostile[] = [
  {
    name: 'custom "[[[…]]]" 10,000 deep',
    body: waiting('deep-custom-10k', `,"custom":${JSON.stringify(brackets(10_000))}`),
    warning: /^\/custom: JSON nested more than 64 levels deep; kept as the string sent$/,
  },
  {
    name: 'custom "[[[…]]]" 100,000 deep',
    body: waiting('deep-custom-100k', `,"custom":${JSON.stringify(brackets(100_000))}`),
    warning: /^\/custom: JSON nested more than 64/,
  },
  {
    name: 'the deepest body accepted (64 levels) with custom JSON 64 deep',
    body: waiting('deepest', `,"x":${brackets(63)},"custom":${JSON.stringify(objects(64))}`),
  },
  {
    name: 'a 10,000-deep array in a field',
    body: waiting('deep-array', `,"x":${brackets(10_000)}`),
    code: 'TELECMI_TOO_DEEP',
  },
  {
    name: 'a 10,000-deep object in a field',
    body: waiting('deep-object', `,"x":${objects(10_000)}`),
    code: 'TELECMI_TOO_DEEP',
  },
  {
    name: 'a 100,000-deep array in a field',
    body: waiting('deep-100k', `,"x":${brackets(100_000)}`),
    code: 'TELECMI_TOO_DEEP',
  },
  {
    name: 'a form key a[a][a]… 10,000 deep',
    body: `cmiuuid=form-key&appid=2222223&status=waiting&time=${T0}&a${'[a]'.repeat(10_000)}=1`,
    contentType: 'application/x-www-form-urlencoded',
  },
  {
    name: 'a conversation_uuid of 129 characters',
    body: waiting('x'.repeat(129)),
    code: 'TELECMI_ID_TOO_LONG',
  },
  {
    name: 'a team of 3,000 characters',
    body: waiting('long-team', `,"team":"${'t'.repeat(3000)}"`),
    warning: /^\/team: 3000 characters, more than 256; read as null$/,
  },
  {
    name: 'a 400-digit waitedsec number',
    body: waiting('waited-400', `,"waitedsec":${digits400}`),
    warning: /^\/waitedsec: Infinity is not a duration/,
  },
  {
    name: 'a 400-digit waitedsec string',
    body: waiting('waited-400s', `,"waitedsec":"${digits400}"`),
    warning: /^\/waitedsec: "9{24}…" is not a duration/,
  },
  {
    name: 'a 400-digit time number',
    body: waiting('time-400').replace(String(T0), digits400),
    warning: /^\/time: Infinity is not a time/,
  },
  {
    name: 'a 400-digit time string',
    body: waiting('time-400s').replace(String(T0), `"${digits400}"`),
    warning: /^\/time: "9{24}…" is not a time/,
  },
  {
    name: 'time 123456789012345678901234567890',
    body: waiting('time-30').replace(String(T0), '123456789012345678901234567890'),
    warning: /^\/time: 1\.2345678901234568e\+29 is not a time from 2000-01-01 to 2100-01-01; read as null$/,
  },
  {
    name: 'answeredsec and waitedsec 1e308 in an answered CDR',
    body: answeredCdr('seconds-1e308', ',"answeredsec":1e308,"waitedsec":1e308'),
    warning: /^\/answeredsec: 1e\+308 is not a duration from 0 to 86400 seconds; read as null$/,
  },
  {
    name: 'a negative answeredsec',
    body: answeredCdr('seconds-negative', ',"answeredsec":-5'),
    warning: /^\/answeredsec: -5 is not a duration/,
  },
];

/** What the tests need of an app: the app, the API token header and the ingest path. */
type Target = Pick<TestApp, 'app' | 'auth' | 'ingestPath'>;

const post = (t: Target, body: string, contentType = 'application/json') =>
  t.app.inject({
    method: 'POST',
    url: t.ingestPath,
    payload: body,
    headers: { 'content-type': contentType },
  });

const read = async (t: Target, url: string): Promise<string> => {
  const response = await t.app.inject({ url, headers: t.auth });
  expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBe(200);
  return response.body;
};

/** Posts a hostile request and checks its answer, and that it was quarantined or stored with its warning. */
async function sendHostile(t: Target, hostile: Hostile): Promise<void> {
  const response = await post(t, hostile.body, hostile.contentType);
  const answer = response.json<{ ok: boolean; id?: string; error?: { code: string; message: string } }>();
  if (hostile.code) {
    expect(response.statusCode).toBe(422);
    expect(answer).toMatchObject({ ok: false, error: { code: hostile.code } });
    const quarantine = JSON.parse(await read(t, '/api/quarantine?limit=1000')) as {
      items: { reason: string; raw: string }[];
    };
    expect(quarantine.items.some((item) => item.reason === hostile.code && item.raw === hostile.body)).toBe(
      true,
    );
    return;
  }
  expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
  const events = JSON.parse(await read(t, '/api/events?limit=1000')) as {
    items: { id: string; warnings: string[] }[];
  };
  const warnings = events.items.find((event) => event.id === answer.id)?.warnings;
  if (hostile.warning)
    expect(
      warnings?.some((warning) => hostile.warning!.test(warning)),
      warnings?.join('\n'),
    ).toBe(true);
  else expect(warnings).toEqual([]);
}

/** A normal answered call: waiting, answered, hangup, then its CDR. */
async function playNormalCall(t: Target, id: string): Promise<void> {
  const event = (status: string, second: number) =>
    waiting(id)
      .replace('"waiting"', `"${status}"`)
      .replace(String(T0), String(T0 + second * 1000));
  for (const body of [
    event('waiting', 0),
    event('answered', 12),
    event('hangup', 70),
    answeredCdr(id, ',"answeredsec":58').replace(String(T0), String(T0 + 12_000)),
  ])
    expect((await post(t, body)).statusCode).toBe(200);
}

/** Every read route answers 200 with a well-formed body; the normal call is folded with its durations. */
async function expectReadsWell(t: Target, normal: string): Promise<void> {
  const day = `from=${Date.UTC(2026, 2, 10)}&to=${Date.UTC(2026, 2, 11)}`;
  const events = JSON.parse(await read(t, '/api/events?limit=1000')) as { items: unknown[] };
  expect(events.items.length).toBeGreaterThan(0);
  const calls = JSON.parse(await read(t, '/api/calls?limit=1000')) as { items: Call[] };
  expect(calls.items.map((call) => call.key)).toContain(normal);
  for (const call of calls.items) {
    const one = JSON.parse(await read(t, `/api/calls/${encodeURIComponent(call.key)}`)) as Call;
    expect(one.key).toBe(call.key);
  }
  const normalCall = JSON.parse(await read(t, `/api/calls/${normal}`)) as Call;
  expect(normalCall).toMatchObject({ outcome: 'answered', waitedSec: 12, talkSec: 58 });
  const stats = JSON.parse(await read(t, `/api/stats?${day}`)) as { totals: Record<string, unknown> };
  expect(stats.totals['answered']).toBeGreaterThanOrEqual(1);
  for (const groupBy of ['team', 'agent', 'hour', 'day'])
    expect(JSON.parse(await read(t, `/api/stats?${day}&groupBy=${groupBy}`))).toHaveProperty('groups');
  const csv = (await read(t, '/api/calls.csv')).trimEnd().split('\r\n');
  expect(csv).toHaveLength(calls.items.length + 1);
  const ndjson = (await read(t, '/api/calls.ndjson')).trimEnd().split('\n');
  expect(ndjson.map((line) => (JSON.parse(line) as Call).key).sort()).toEqual(
    calls.items.map((call) => call.key).sort(),
  );
  expect(JSON.parse(await read(t, '/api/missed?limit=1000'))).toHaveProperty('items');
}

describe('issue 15 regressions: values', () => {
  for (const hostile of HOSTILE) {
    it(`answers ${hostile.name} in shape, and every read route still answers after it`, async () => {
      const t = await createTestApp({ now: () => T0 + 3600_000 });
      await sendHostile(t, hostile);
      await playNormalCall(t, 'normal-call');
      await expectReadsWell(t, 'normal-call');
    });
  }

  it('takes every hostile request in turn in the server as telehook serve runs it (calls folded in the fold thread)', async () => {
    const dir = tempDir();
    const config = loadConfig({ overrides: { dataDir: dir, logLevel: 'silent' } });
    const logger = createLogger(config);
    const tokens = { ingestToken: generateToken(), apiToken: generateToken(), viewerToken: generateToken() };
    const { app, store, close } = await openApp(config, { logger, tokens });
    onTestFinished(close);
    const t: Target = {
      app,
      auth: { authorization: `Bearer ${tokens.apiToken}` },
      ingestPath: `/webhooks/telecmi/${tokens.ingestToken}`,
    };
    for (const hostile of HOSTILE) await sendHostile(t, hostile);
    await playNormalCall(t, 'normal-call');
    await expectReadsWell(t, 'normal-call');
    expect(await store.countEventsToProject()).toBe(0);
  });
});

/**
 * The rules of an older version that derived absurd numbers from such events (before normalise bounded them):
 * the calls it stored stay in the calls table until a rebuild, and must not break a reader meanwhile.
 */
function olderRules(absurd: (call: Call) => Partial<Call>): CallFold {
  return createCallFold({
    staleAfterMs: 2 * 3600_000,
    project: (events, identifiers, key, now) => {
      const call = projectCall(events, identifiers, key, { now, staleAfterMs: 2 * 3600_000 });
      return { ...call, ...absurd(call) };
    },
  });
}

describe('issue 15 regressions: calls stored with absurd numbers', () => {
  it('answers every read route and the wallboard snapshot over calls an older version stored with absurd numbers', async () => {
    const t = await createTestApp({ now: () => T0 + 3600_000 });
    for (const id of ['absurd-durations-1', 'absurd-durations-2', 'absurd-times'])
      expect((await post(t, answeredCdr(id, ',"answeredsec":30'))).statusCode).toBe(200);
    await playNormalCall(t, 'normal-call');
    await t.app.projection.settled();
    const refold = async (key: string, absurd: Partial<Call>) => {
      const events = await t.store.listCallEvents(key);
      await t.store.projectCalls(
        { events, refreshKeys: [key], now: T0 + 3600_000 },
        olderRules((call) => (call.key === key ? absurd : {})),
      );
    };
    // Two such calls, so that the sums overflow to Infinity.
    await refold('absurd-durations-1', { waitedSec: 1e308, talkSec: 1e308 });
    await refold('absurd-durations-2', { waitedSec: 1e308, talkSec: -1e308 });
    await refold('absurd-times', {
      startedAt: 1.2345678901234568e29,
      answeredAt: -1e308,
      endedAt: 8.64e15 + 1,
      lastEventAt: 1e300,
    });
    const stored = JSON.parse(await read(t, '/api/calls/absurd-times')) as Call;
    expect(stored.startedAt).toBe(1.2345678901234568e29);

    await expectReadsWell(t, 'normal-call');
    const stats = JSON.parse(
      await read(t, `/api/stats?from=${Date.UTC(2026, 2, 10)}&to=${Date.UTC(2026, 2, 11)}`),
    ) as { totals: { asaSec: number | null; ahtSec: number | null } };
    // The waits sum to Infinity, which no JSON number holds: the figure is null rather than a 500.
    expect(stats.totals.asaSec).toBeNull();
    expect(Number.isFinite(stats.totals.ahtSec)).toBe(true);
    const csv = await read(t, '/api/calls.csv');
    const row = csv.split('\r\n').find((line) => line.startsWith('absurd-times,'));
    // Times no date can show are left empty rather than breaking the export.
    expect(row?.split(',').slice(4, 7)).toEqual(['', '', '']);

    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as { port: number }).port;
    const live = await openSse(`http://127.0.0.1:${port}/api/live`, { authorization: t.auth.authorization });
    const snapshot = await live.waitFor((message) => message.event === 'snapshot');
    // Today's calls: the call whose start is absurd is in no day.
    expect(snapshot.data).toMatchObject({ totals: { answered: 3, asaSec: null } });
    live.close();
  });
});

describe('issue 15 regressions: events stored before the limits', () => {
  it('reads every route after a 100,000-deep event that an older version stored, and folds later calls', async () => {
    const t = await createTestApp({ now: () => T0 + 3600_000 });
    // What the older version stored: the exact bytes, with the event it derived (here from a shallow twin).
    const body = Buffer.from(waiting('stored-deep', `,"custom":${brackets(100_000)}`));
    const twin = parse(Buffer.from(waiting('stored-deep')));
    if (!twin.ok) throw twin.error;
    await t.store.appendEvent({
      event: normalise(twin.value, { id: 'stored-deep-event', receivedAt: T0 }),
      body,
      dedupeKey: 'stored-deep',
      method: 'POST',
      contentType: 'application/json',
    });
    await playNormalCall(t, 'normal-call');
    await expectReadsWell(t, 'normal-call');
    const events = JSON.parse(await read(t, '/api/events?limit=1000')) as {
      items: { id: string; warnings: string[]; raw: string }[];
    };
    const stored = events.items.find((event) => event.id === 'stored-deep-event');
    expect(stored?.raw).toBe(body.toString('utf8'));
    expect(stored?.warnings.join()).toContain('no longer parses');
  });
});

describe('issue 15 regressions: numbers in queries', () => {
  it('answers 400 QUERY_INVALID, never a 5xx, to a query number nothing can mean', async () => {
    const t = await createTestApp({ now: () => T0 });
    for (const url of [
      '/api/events?limit=1e309',
      '/api/quarantine?limit=1e309',
      '/api/calls?limit=1e309',
      '/api/missed?limit=-1e309',
      '/api/stats?serviceLevelSec=1e309',
      '/api/stats?from=8640000000000001',
      '/api/calls.csv?to=9999999999999999',
      `/api/stats?from=0&to=${Date.UTC(9999, 0)}&groupBy=day`,
      `/api/stats?from=0&groupBy=hour`,
    ]) {
      const response = await t.app.inject({ url, headers: t.auth });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(400);
      expect(response.json()).toMatchObject({ ok: false, error: { code: 'QUERY_INVALID' } });
    }
    await read(t, `/api/stats?from=${Date.UTC(2016, 0)}&to=${Date.UTC(2027, 0)}&groupBy=day`);
  });
});
