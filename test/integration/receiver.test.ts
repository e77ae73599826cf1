import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import type { StoredEvent } from '../../src/store/index.js';
import { normalise, parse } from '../../src/telecmi/index.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const fixtures = loadFixtures();
const waiting = fixtures.find((fixture) => fixture.name === 'chub-incoming-event-waiting')!;

async function allEvents(t: TestApp): Promise<StoredEvent[]> {
  const items: StoredEvent[] = [];
  let after: string | null = null;
  do {
    const response = await t.app.inject({
      url: `/api/events?limit=7${after ? `&after=${after}` : ''}`,
      headers: t.auth,
    });
    expect(response.statusCode).toBe(200);
    const page: { items: StoredEvent[]; next: string | null } = response.json();
    items.push(...page.items);
    after = page.next;
  } while (after !== null);
  return items;
}

describe('receiver', () => {
  it('accepts every documented fixture and gives it back with raw identical and the normalised fields right', async () => {
    const t = await createTestApp();
    const ids = new Map<string, string>();
    for (const fixture of fixtures) {
      const response = await t.app.inject({
        method: 'POST',
        url: t.ingestPath,
        payload: fixture.bytes,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode, fixture.name).toBe(200);
      const body = response.json<{ ok: boolean; id: string; duplicate: boolean }>();
      expect(body).toEqual({ ok: true, id: expect.any(String), duplicate: false });
      ids.set(body.id, fixture.name);
    }
    const events = await allEvents(t);
    expect(events).toHaveLength(fixtures.length);
    for (const event of events) {
      const fixture = fixtures.find((candidate) => candidate.name === ids.get(event.id))!;
      expect(event.raw).toBe(fixture.bytes.toString('utf8'));
      const parsed = parse(fixture.bytes, 'application/json');
      if (!parsed.ok) throw parsed.error;
      expect(event).toEqual({
        ...normalise(parsed.value, { id: event.id, receivedAt: event.receivedAt }),
        method: 'POST',
        contentType: 'application/json',
        source: 'webhook',
      });
    }
  });

  it('answers an exact resend as a duplicate with the first id and stores it once, whatever its key order', async () => {
    const t = await createTestApp();
    const first = await t.app.inject({ method: 'POST', url: t.ingestPath, payload: waiting.bytes });
    const again = await t.app.inject({ method: 'POST', url: t.ingestPath, payload: waiting.bytes });
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(waiting.payload).reverse()));
    const respaced = await t.app.inject({ method: 'POST', url: t.ingestPath, payload: reordered });
    expect(again.json()).toEqual({ ok: true, id: first.json<{ id: string }>().id, duplicate: true });
    expect(respaced.json()).toEqual({ ok: true, id: first.json<{ id: string }>().id, duplicate: true });
    expect(await t.store.countEvents()).toBe(1);
  });

  it('stores concurrent resends of one payload once', async () => {
    const t = await createTestApp();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.app.inject({ method: 'POST', url: t.ingestPath, payload: waiting.bytes }),
      ),
    );
    const bodies = answers.map((answer) => answer.json<{ id: string; duplicate: boolean }>());
    expect(new Set(bodies.map((body) => body.id)).size).toBe(1);
    expect(bodies.filter((body) => !body.duplicate)).toHaveLength(1);
    expect(await t.store.countEvents()).toBe(1);
  });

  it('accepts JSON sent with no Content-Type, text/plain, or a form Content-Type', async () => {
    const t = await createTestApp();
    const bodies = [
      'chub-incoming-cdr-answered',
      'piopiy-incoming-event-answered',
      'chub-india-incoming-cdr-missed',
    ].map((name) => fixtures.find((fixture) => fixture.name === name)!.bytes);
    const contentTypes = [undefined, 'text/plain', 'application/x-www-form-urlencoded'];
    for (const [index, body] of bodies.entries()) {
      const contentType = contentTypes[index];
      const response = await t.app.inject({
        method: 'POST',
        url: t.ingestPath,
        payload: body,
        headers: contentType ? { 'content-type': contentType } : {},
      });
      expect(response.statusCode).toBe(200);
    }
    const events = await allEvents(t);
    expect(events.map((event) => event.raw)).toEqual(bodies.map((body) => body.toString('utf8')));
    expect(events.map((event) => event.contentType)).toEqual([
      null,
      'text/plain',
      'application/x-www-form-urlencoded',
    ]);
  });

  it('accepts form-encoded bodies and GET query strings, on both paths, and never stores the token', async () => {
    const t = await createTestApp();
    const form =
      'type=event&status=waiting&cmiuuid=leg-9&conversation_uuid=leg-9&app_id=2222223&from=04400000000&time=1634724624830';
    const viaForm = await t.app.inject({
      method: 'POST',
      url: `/webhook/cdr?token=${t.tokens.ingestToken}`,
      payload: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(viaForm.statusCode).toBe(200);
    const query =
      'type=cdr&status=missed&cmiuuid=leg-10&appid=2222223&from=440000000001&waitedsec=12&time=1634724624830';
    const viaGet = await t.app.inject({
      method: 'GET',
      url: `/webhook/cdr?${query.replace('&appid', `&token=${t.tokens.ingestToken}&appid`)}`,
    });
    expect(viaGet.statusCode).toBe(200);
    const viaGetOurPath = await t.app.inject({
      method: 'GET',
      url: `${t.ingestPath}?${query.replace('leg-10', 'leg-11')}`,
    });
    expect(viaGetOurPath.statusCode).toBe(200);

    const [first, second, third] = await allEvents(t);
    expect(first).toMatchObject({
      raw: form,
      method: 'POST',
      from: '04400000000',
      status: 'waiting',
      kind: 'event',
      appId: '2222223',
      occurredAt: 1634724624830,
    });
    expect(second).toMatchObject({
      raw: query,
      method: 'GET',
      contentType: null,
      kind: 'cdr',
      status: 'missed',
      waitedSec: 12,
      legId: 'leg-10',
    });
    expect(third).toMatchObject({ raw: query.replace('leg-10', 'leg-11'), legId: 'leg-11' });
    const everything = JSON.stringify(await allEvents(t));
    expect(everything).not.toContain(t.tokens.ingestToken);
  });

  it('refuses a wrong or missing token with 401 and stores nothing', async () => {
    const t = await createTestApp();
    const attempts = [
      {
        method: 'POST' as const,
        url: '/webhooks/telecmi/not-the-right-token-at-all',
        payload: waiting.bytes,
      },
      { method: 'POST' as const, url: '/webhook/cdr', payload: waiting.bytes },
      { method: 'POST' as const, url: '/webhook/cdr?token=', payload: waiting.bytes },
      { method: 'GET' as const, url: '/webhook/cdr?token=nope&cmiuuid=x&appid=1' },
      {
        method: 'POST' as const,
        url: `/webhooks/telecmi/${t.tokens.ingestToken.slice(0, -1)}`,
        payload: waiting.bytes,
      },
    ];
    for (const attempt of attempts) {
      const response = await t.app.inject(attempt);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({
        ok: false,
        error: { code: 'INGEST_TOKEN_INVALID', message: expect.stringMatching(/ingest/) },
      });
    }
    expect(await t.store.countEvents()).toBe(0);
    expect((await t.store.listQuarantine({ limit: 10 })).items).toHaveLength(0);
    const metrics = await t.app.inject({ url: '/metrics' });
    expect(metrics.body).toContain('telehook_ingest_rejected_total{code="INGEST_TOKEN_INVALID"} 5');
  });

  it('answers 400 for what cannot be parsed and 422 for what is not TeleCMI, and quarantines both with the raw bytes', async () => {
    const t = await createTestApp();
    const cases = [
      { body: Buffer.from('{"cmiuuid": "x", '), status: 400, code: 'TELECMI_UNPARSEABLE' },
      { body: Buffer.from([0xc3, 0x28, 0x7b]), status: 400, code: 'TELECMI_INVALID_ENCODING' },
      { body: Buffer.alloc(0), status: 400, code: 'TELECMI_EMPTY_BODY' },
      { body: Buffer.from('{"hello":"world"}'), status: 422, code: 'TELECMI_NOT_TELECMI' },
      { body: Buffer.from('[{"cmiuuid":"x"}]'), status: 422, code: 'TELECMI_NOT_AN_OBJECT' },
    ];
    for (const { body, status, code } of cases) {
      const response = await t.app.inject({
        method: 'POST',
        url: t.ingestPath,
        payload: body,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual({ ok: false, error: { code, message: expect.any(String) } });
    }
    const quarantine = await t.app.inject({ url: '/api/quarantine', headers: t.auth });
    const items = quarantine.json<{ items: { reason: string; rawBase64: string; path: string }[] }>().items;
    expect(items.map((item) => item.reason)).toEqual(cases.map((c) => c.code));
    expect(items.map((item) => Buffer.from(item.rawBase64, 'base64'))).toEqual(cases.map((c) => c.body));
    expect(items.every((item) => item.path === '/webhooks/telecmi/:token')).toBe(true);
    expect(await t.store.countEvents()).toBe(0);
  });

  it('answers 413 for a body over the limit, with the limit in the message', async () => {
    const t = await createTestApp({ overrides: { bodyLimitBytes: '2KiB' } });
    const big = JSON.stringify({ ...waiting.payload, custom: 'x'.repeat(4000) });
    const response = await t.app.inject({ method: 'POST', url: t.ingestPath, payload: big });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({
      ok: false,
      error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('2048 bytes') },
    });
    expect(await t.store.countEvents()).toBe(0);
  });

  it('answers 405 for other methods, with Allow', async () => {
    const t = await createTestApp();
    for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
      const response = await t.app.inject({ method, url: t.ingestPath, payload: waiting.bytes });
      expect(response.statusCode).toBe(405);
      expect(response.headers['allow']).toBe('POST, GET');
      expect(response.json<{ error: { code: string } }>().error.code).toBe('METHOD_NOT_ALLOWED');
    }
    expect(await t.store.countEvents()).toBe(0);
  });

  it('answers 503 and does not acknowledge when the database cannot be written', async () => {
    const t = await createTestApp({ store: { busyTimeoutMs: 50 } });
    const blocker = new Database(t.file);
    blocker.exec('BEGIN IMMEDIATE');
    try {
      const response = await t.app.inject({ method: 'POST', url: t.ingestPath, payload: waiting.bytes });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        ok: false,
        error: { code: 'STORE_UNAVAILABLE', message: expect.stringContaining('SQLITE_BUSY') },
      });
      expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(503);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    expect(await t.store.countEvents()).toBe(0);
    const retried = await t.app.inject({ method: 'POST', url: t.ingestPath, payload: waiting.bytes });
    expect(retried.json()).toMatchObject({ ok: true, duplicate: false });
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('never answers 5xx for hostile input', async () => {
    const t = await createTestApp();
    const hostile = [
      '{"__proto__":{"polluted":true},"cmiuuid":"x"}',
      '{"constructor":{"prototype":{"x":1}},"appid":1}',
      '\u0000\u0001',
      '{"cmiuuid":' + '['.repeat(5000),
      'a=b&'.repeat(3000),
    ];
    for (const body of hostile) {
      const response = await t.app.inject({
        method: 'POST',
        url: t.ingestPath,
        payload: body,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBeLessThan(500);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('read API', () => {
  it('requires the API token', async () => {
    const t = await createTestApp();
    for (const headers of [
      {},
      { authorization: 'Bearer wrong-token-wrong-token' },
      { authorization: t.tokens.apiToken },
    ]) {
      const response = await t.app.inject({ url: '/api/events', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('API_TOKEN_INVALID');
    }
  });

  it('pages oldest first with a cursor and rejects bad parameters by name', async () => {
    const t = await createTestApp();
    for (const fixture of fixtures.slice(0, 5))
      await t.app.inject({ method: 'POST', url: t.ingestPath, payload: fixture.bytes });
    const first = (await t.app.inject({ url: '/api/events?limit=2', headers: t.auth })).json<{
      items: StoredEvent[];
      next: string;
    }>();
    const second = (
      await t.app.inject({ url: `/api/events?limit=2&after=${first.next}`, headers: t.auth })
    ).json<{ items: StoredEvent[]; next: string }>();
    const third = (
      await t.app.inject({ url: `/api/events?limit=2&after=${second.next}`, headers: t.auth })
    ).json<{ items: StoredEvent[]; next: string | null }>();
    expect([...first.items, ...second.items, ...third.items].map((event) => event.raw)).toEqual(
      fixtures.slice(0, 5).map((f) => f.bytes.toString('utf8')),
    );
    expect(third.next).toBeNull();
    for (const [query, parameter] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=abc', 'limit'],
      ['after=xyz', 'after'],
      ['colour=red', 'colour'],
    ]) {
      const response = await t.app.inject({ url: `/api/events?${query}`, headers: t.auth });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ error: { code: string; message: string } }>().error).toEqual({
        code: 'QUERY_INVALID',
        message: expect.stringContaining(`"${parameter}"`),
      });
    }
  });
});

describe('read API: a period', () => {
  it('lists and counts the events received in [from, to), page by page, and names a bad time', async () => {
    const t = await createTestApp();
    const post = async (fixture: (typeof fixtures)[number]) =>
      expect(
        (await t.app.inject({ method: 'POST', url: t.ingestPath, payload: fixture.bytes })).statusCode,
      ).toBe(200);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    for (const fixture of fixtures.slice(0, 2)) await post(fixture);
    await pause();
    const from = Date.now();
    for (const fixture of fixtures.slice(2, 7)) await post(fixture);
    await pause();
    const to = new Date().toISOString();
    await pause();
    await post(fixtures[7]!);

    const raws: string[] = [];
    let after: string | null = null;
    do {
      const response: { statusCode: number; json<T>(): T } = await t.app.inject({
        url: `/api/events?from=${from}&to=${to}&limit=2${after === null ? '' : `&after=${after}`}`,
        headers: t.auth,
      });
      expect(response.statusCode).toBe(200);
      const page: { items: StoredEvent[]; next: string | null } = response.json();
      raws.push(...page.items.map((event) => event.raw));
      after = page.next;
    } while (after !== null);
    expect(raws).toEqual(fixtures.slice(2, 7).map((fixture) => fixture.bytes.toString('utf8')));

    const count = async (query: string) =>
      (await t.app.inject({ url: `/api/events/count${query}`, headers: t.auth })).json<{ count: number }>()
        .count;
    expect(await count(`?from=${from}&to=${to}`)).toBe(5);
    expect(await count(`?from=${from}`)).toBe(6);
    expect(await count('')).toBe(8);
    const bad = await t.app.inject({ url: '/api/events?from=yesterday', headers: t.auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toContain('"from"');
  });
});

describe('operations', () => {
  it('answers /healthz and /readyz, and unknown routes with a JSON 404', async () => {
    const t = await createTestApp();
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
    expect((await t.app.inject({ url: '/readyz' })).json()).toEqual({ ok: true, store: 'sqlite' });
    const missing = await t.app.inject({ url: '/nowhere' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
  });
});
