import { describe, expect, it, onTestFinished } from 'vitest';

import {
  createEndpointService,
  createGuardedLookup,
  createSender,
  type ResolvedAddress,
} from '../../src/delivery/index.js';
import type { Delivery, Endpoint } from '../../src/store/index.js';
import { callFlows } from '../helpers/call-flows.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const T0 = Date.UTC(2026, 0, 12, 9, 0, 0);
const PUBLIC = '93.184.216.34';

/** A resolver the test controls: what each name resolves to now, and how often it was asked. */
function controlledResolver(table: Record<string, string>) {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<readonly ResolvedAddress[]> => {
    asked.push(hostname);
    const address = table[hostname];
    if (address === undefined) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
  return { resolve, asked, table };
}

const post = (t: TestApp, url: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/endpoints',
    headers: t.auth,
    payload: { url, receives: 'events' },
  });

/** The sink's port: the URLs under test reach the sink's address in another form. */
const portOf = (url: string): string => new URL(url).port;

/**
 * Issue 15 ("One bad request must never break the wallboard"), endpoint URLs: IPv6 forms that carry a loopback
 * IPv4 address and localhost names were accepted as endpoints, and sent to.
 */
describe('issue 15 regressions: endpoint URLs', () => {
  it('refuses every IPv6 form of a private IPv4 address, private IPv6 ranges and localhost names at registration, naming why', async () => {
    const t = await createTestApp({ startDeliveryWorker: false });
    for (const [url, why] of [
      ['http://[::127.0.0.1]/hook', 'IPv4-compatible 127.0.0.1, loopback'],
      ['http://[::ffff:0:127.0.0.1]/hook', 'IPv4-translated 127.0.0.1, loopback'],
      ['http://[::ffff:127.0.0.1]/hook', 'IPv4-mapped 127.0.0.1, loopback'],
      [
        'http://[0:0:0:0:0:ffff:a9fe:a9fe]/latest',
        'IPv4-mapped 169.254.169.254, link-local (cloud metadata)',
      ],
      ['http://[64:ff9b::10.0.0.1]/hook', 'NAT64 10.0.0.1, private'],
      ['http://[64:ff9b:1::8.8.8.8]/hook', 'local-use NAT64'],
      ['http://[2002:c0a8:101::1]/hook', '6to4 192.168.1.1, private'],
      ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook', 'Teredo client 127.0.0.1, loopback'],
      ['http://[::1]:8080/hook', 'loopback'],
      ['http://[::]/hook', 'unspecified'],
      ['https://[fd00::1]/hook', 'unique-local (private)'],
      ['http://[fe80::1]/hook', 'link-local'],
      ['http://[ff02::1]/hook', 'multicast'],
      ['http://localhost./hook', 'a localhost name'],
      ['http://sub.localhost/hook', 'a localhost name'],
      ['http://sub.localhost./hook', 'a localhost name'],
      ['http://LOCALHOST:5000/hook', 'a localhost name'],
      ['http://0x7f.1/hook', 'loopback'],
      ['http://2130706433/hook', 'loopback'],
      ['http://100.64.0.1/hook', 'carrier-grade NAT'],
    ] as const) {
      const answer = await post(t, url);
      expect(answer.statusCode, url).toBe(422);
      const { error } = answer.json<{ ok: false; error: { code: string; message: string } }>();
      expect(error.code, url).toBe('ENDPOINT_URL_FORBIDDEN');
      expect(error.message, url).toContain(`not a public address (${why})`);
      expect(error.message, url).toContain('TELEHOOK_ALLOW_PRIVATE_ENDPOINTS=1');
    }
    expect(await t.store.listEndpoints()).toEqual([]);
  });

  it('refuses such a URL when an endpoint is changed to it, and keeps the old one', async () => {
    const t = await createTestApp({ startDeliveryWorker: false });
    const created = await post(t, 'http://[2606:4700:4700::1111]/hook');
    expect(created.statusCode).toBe(201);
    const { id } = created.json<Endpoint>();
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/endpoints/${id}`,
      headers: t.auth,
      payload: { url: 'http://[::ffff:0:7f00:1]/hook' },
    });
    expect(patched.statusCode).toBe(422);
    expect(patched.json()).toMatchObject({ ok: false, error: { code: 'ENDPOINT_URL_FORBIDDEN' } });
    expect((await t.store.getEndpoint(id))?.url).toBe('http://[2606:4700:4700::1111]/hook');
  });

  it('accepts them all when private endpoints are allowed', async () => {
    const t = await createTestApp({ startDeliveryWorker: false, overrides: { allowPrivateEndpoints: '1' } });
    for (const url of [
      'http://[::127.0.0.1]/hook',
      'http://[::ffff:0:127.0.0.1]/hook',
      'http://sub.localhost/',
    ])
      expect((await post(t, url)).statusCode).toBe(201);
  });

  it('does not send to IPv6 forms of the loopback address or localhost names, even when the endpoint is saved', async () => {
    const sink = await startHttpSink();
    const port = portOf(sink.url);
    const sender = createSender({ allowPrivate: false });
    onTestFinished(() => sender.close());
    for (const host of [
      '[::127.0.0.1]',
      '[::ffff:0:127.0.0.1]',
      '[::ffff:127.0.0.1]',
      '[64:ff9b::127.0.0.1]',
      '127.0.0.1',
      'localhost.',
      'sub.localhost',
    ]) {
      const sent = await sender.send(
        { url: `http://${host}:${port}/hook`, headers: {}, body: '{}', timeoutMs: 2000 },
        T0,
      );
      expect(sent.statusCode, host).toBeNull();
      expect(sent.error, host).toMatch(/^BLOCKED_ADDRESS: .* not a public address/);
    }
    expect(sink.requests).toHaveLength(0);
  });

  it('records a refused attempt for an endpoint saved while private endpoints were allowed, and sends nothing', async () => {
    const sink = await startHttpSink();
    const before = await createTestApp({
      startDeliveryWorker: false,
      overrides: { allowPrivateEndpoints: '1' },
    });
    expect((await post(before, `http://[::ffff:0:127.0.0.1]:${portOf(sink.url)}/hook`)).statusCode).toBe(201);
    await before.app.close();
    await before.store.close();

    const t = await createTestApp({ startDeliveryWorker: false, dir: before.dir, tokens: before.tokens });
    const answer = await t.app.inject({
      method: 'POST',
      url: t.ingestPath,
      payload: callFlows(T0)[0]!.payloads[0],
    });
    expect(answer.statusCode).toBe(200);
    await t.app.projection.settled();
    await t.app.delivery.scheduler.settled();
    await t.app.delivery.worker.runDue();
    const deliveries = (await t.app.inject({ method: 'GET', url: '/api/deliveries', headers: t.auth })).json<{
      items: Delivery[];
    }>().items;
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.attempts).toEqual([
      expect.objectContaining({
        statusCode: null,
        error: expect.stringMatching(
          /^BLOCKED_ADDRESS: ::ffff:0:7f00:1 is not a public address \(IPv4-translated/,
        ) as string,
      }),
    ]);
    expect(sink.requests).toHaveLength(0);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped 127.0.0.1, loopback'],
    ['::7f00:1', 'IPv4-compatible 127.0.0.1, loopback'],
  ])(
    'refuses a name that resolves to %s when it connects, and the sink receives nothing',
    async (address, why) => {
      const sink = await startHttpSink();
      const { resolve, asked } = controlledResolver({ 'hooks.test': address });
      const sender = createSender({ allowPrivate: false, resolve });
      onTestFinished(() => sender.close());
      const sent = await sender.send(
        { url: `http://hooks.test:${portOf(sink.url)}/hook`, headers: {}, body: '{}', timeoutMs: 2000 },
        T0,
      );
      expect(sent.statusCode).toBeNull();
      expect(sent.error).toMatch(
        new RegExp(
          `^BLOCKED_ADDRESS: hooks\\.test resolves to ${address.replace(/\./g, '\\.')}, not a public address \\(${why.replace(/[().]/g, '\\$&')}`,
        ),
      );
      expect(asked).toEqual(['hooks.test']);
      expect(sink.requests).toHaveLength(0);
    },
  );

  it('connects to the address the resolver gives: the sink receives the request when private endpoints are allowed', async () => {
    const sink = await startHttpSink();
    const { resolve } = controlledResolver({ 'hooks.test': '127.0.0.1' });
    const sender = createSender({ allowPrivate: true, resolve });
    onTestFinished(() => sender.close());
    const sent = await sender.send(
      { url: `http://hooks.test:${portOf(sink.url)}/hook`, headers: {}, body: '{"n":1}', timeoutMs: 2000 },
      T0,
    );
    expect(sent).toMatchObject({ statusCode: 200, error: null });
    expect(
      sink.requests.map((request) => [request.path, request.headers.host, request.body.toString()]),
    ).toEqual([['/hook', `hooks.test:${portOf(sink.url)}`, '{"n":1}']]);
  });

  it('refuses a name that resolved to a public address at registration and to a loopback address when it connects (DNS rebinding)', async () => {
    const sink = await startHttpSink();
    const t = await createTestApp({ startDeliveryWorker: false });
    const dns = controlledResolver({ 'rebind.test': PUBLIC });
    let id = 0;
    const endpoints = createEndpointService({
      store: t.store,
      now: () => T0,
      newId: () => `rebind${++id}`,
      allowPrivate: false,
      resolve: dns.resolve,
    });
    const url = `http://rebind.test:${portOf(sink.url)}/hook`;
    const endpoint = await endpoints.create({ url, receives: 'events' });
    expect(endpoint.url).toBe(url);

    dns.table['rebind.test'] = '127.0.0.1';
    const sender = createSender({ allowPrivate: false, resolve: dns.resolve });
    onTestFinished(() => sender.close());
    const sent = await sender.send({ url: endpoint.url, headers: {}, body: '{}', timeoutMs: 2000 }, T0);
    expect(sent.error).toMatch(
      /^BLOCKED_ADDRESS: rebind\.test resolves to 127\.0\.0\.1, not a public address/,
    );
    expect(dns.asked).toEqual(['rebind.test', 'rebind.test']);
    expect(sink.requests).toHaveLength(0);

    // Registered now, the same name is refused at once, naming the address.
    await expect(endpoints.create({ url, receives: 'events' })).rejects.toMatchObject({
      code: 'ENDPOINT_URL_FORBIDDEN',
      message: expect.stringContaining(
        'rebind.test, which resolves to 127.0.0.1, not a public address (loopback)',
      ) as string,
    });
  });

  it('lets a name that resolves to a public address through the guard, in IPv4, IPv6 and NAT64 form', async () => {
    for (const address of [PUBLIC, '2606:2800:220:1:248:1893:25c8:1946', '64:ff9b::5db8:d822']) {
      const { resolve } = controlledResolver({ 'hooks.test': address });
      const found = await new Promise((done, fail) =>
        createGuardedLookup(resolve, false)('hooks.test', {}, (error, given) =>
          error ? fail(error) : done(given),
        ),
      );
      expect(found).toBe(address);
    }
  });
});
