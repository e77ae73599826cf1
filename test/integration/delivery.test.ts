import { rmSync } from 'node:fs';
import path from 'node:path';

import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, onTestFinished, vi } from 'vitest';

import { createDeliveryWorker, createSender } from '../../src/delivery/index.js';
import { generateScenario } from '../../src/scenarios/index.js';
import type { Delivery, Endpoint } from '../../src/store/index.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { callFlows } from '../helpers/call-flows.js';
import { type SinkRequest, startHttpSink } from '../helpers/http-sink.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * A clock the test moves: the retry schedule spans days, the test milliseconds. Only Date is faked (timers and
 * sockets stay real), so that the receiving side's Standard Webhooks library, which checks the timestamp against
 * Date.now(), sees the same time as telehook.
 */
function fakeClock(start = T0) {
  let time = start;
  vi.useFakeTimers({ toFake: ['Date'], now: time });
  onTestFinished(() => {
    vi.useRealTimers();
  });
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
      vi.setSystemTime(time);
    },
  };
}

async function openApp(
  clock: ReturnType<typeof fakeClock>,
  extra: Partial<Parameters<typeof createTestApp>[0]> = {},
) {
  return createTestApp({
    now: clock.now,
    startDeliveryWorker: false,
    ...extra,
    overrides: { allowPrivateEndpoints: '1', ...extra?.overrides },
  });
}

async function addEndpoint(t: TestApp, body: Record<string, unknown>): Promise<Endpoint> {
  const answer = await t.app.inject({
    method: 'POST',
    url: '/api/endpoints',
    headers: t.auth,
    payload: body,
  });
  expect(answer.statusCode, answer.body).toBe(201);
  return answer.json<Endpoint>();
}

async function ingest(t: TestApp, payloads: readonly Record<string, unknown>[]): Promise<void> {
  for (const payload of payloads) {
    const answer = await t.app.inject({ method: 'POST', url: t.ingestPath, payload });
    expect(answer.statusCode).toBeLessThan(300);
  }
  await t.app.projection.settled();
  await t.app.delivery.scheduler.settled();
}

async function deliveries(t: TestApp, query = ''): Promise<Delivery[]> {
  const answer = await t.app.inject({
    method: 'GET',
    url: `/api/deliveries?limit=1000${query}`,
    headers: t.auth,
  });
  expect(answer.statusCode, answer.body).toBe(200);
  return answer.json<{ items: Delivery[] }>().items;
}

/** Verifies a request the way a receiving app does, with the Standard Webhooks library. */
function verify(secret: string, request: SinkRequest): unknown {
  return new Webhook(secret).verify(request.body.toString('utf8'), request.headers as Record<string, string>);
}

const missedFlow = () =>
  callFlows(T0).find((flow) => flow.expected['outcome'] === 'missed' && flow.payloads.length === 1)!;

describe('forwarding', () => {
  it('sends a missed call once as signed call.missed JSON and once as a Slack message, even when resent', async () => {
    const clock = fakeClock();
    const t = await openApp(clock);
    const crm = await startHttpSink();
    const slack = await startHttpSink();
    const json = await addEndpoint(t, { url: crm.url, receives: 'calls', filter: { outcome: ['missed'] } });
    expect(json.secret).toMatch(/^whsec_/);
    expect(json.id).toMatch(/^ep_/);
    await addEndpoint(t, { url: slack.url, receives: 'calls', format: 'slack' });
    const flow = missedFlow();
    // The CDR twice (PIOPIY resends), and an answered call the JSON endpoint's filter leaves out.
    await ingest(t, [...flow.payloads, ...flow.payloads, ...callFlows(T0)[0]!.payloads]);
    await t.app.delivery.worker.runDue();
    await ingest(t, flow.payloads);
    await t.app.delivery.worker.runDue();

    expect(crm.requests).toHaveLength(1);
    const body = verify(json.secret, crm.requests[0]!) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(body.type).toBe('call.missed');
    expect(body.timestamp).toBe(new Date(T0).toISOString());
    const call = await t.app.inject({
      method: 'GET',
      url: `/api/calls/${String(flow.expected['key'])}`,
      headers: t.auth,
    });
    expect(body.data).toEqual(call.json());
    expect(crm.requests[0]!.headers['webhook-id']).toMatch(/^msg_/);

    const slackMessages = slack.requests.map(
      (request) => JSON.parse(request.body.toString('utf8')) as { text: string },
    );
    expect(slackMessages).toHaveLength(2);
    expect(slackMessages.map((message) => message.text).sort()[1]).toMatch(
      /^Missed call from 440000000009 to \d+, waited 300 s, team Sales$/,
    );
  });

  it('notifies the incoming-missed-voicemail scenario once, as call.voicemail', async () => {
    const t = await openApp(fakeClock());
    const sink = await startHttpSink();
    const endpoint = await addEndpoint(t, { url: sink.url, receives: 'calls' });
    await ingest(
      t,
      generateScenario('incoming-missed-voicemail', { seed: 3 }).map((step) => step.payload),
    );
    await t.app.delivery.worker.runDue();
    expect(
      sink.requests.map((request) => (verify(endpoint.secret, request) as { type: string }).type),
    ).toEqual(['call.voicemail']);
  });

  it('retries a sink that fails three times, and delivers once after four attempts', async () => {
    const clock = fakeClock();
    const t = await openApp(clock);
    const sink = await startHttpSink();
    sink.answer = (_request, index) => ({
      status: index < 3 ? 500 : 200,
      body: index < 3 ? 'database down' : 'ok',
    });
    const endpoint = await addEndpoint(t, { url: sink.url, receives: 'calls' });
    await ingest(t, missedFlow().payloads);
    expect(await t.app.delivery.worker.runDue()).toBe(1);
    for (const wait of [5 * SECOND, 5 * MINUTE, 30 * MINUTE]) {
      clock.advance(wait - 1);
      // Not a moment early.
      expect(await t.app.delivery.worker.runDue()).toBe(0);
      clock.advance(1);
      expect(await t.app.delivery.worker.runDue()).toBe(1);
    }
    expect(sink.requests).toHaveLength(4);
    expect(new Set(sink.requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(verify(endpoint.secret, sink.requests[3]!)).toMatchObject({ type: 'call.missed' });
    const [delivery] = await deliveries(t);
    expect(delivery).toMatchObject({ status: 'delivered', attemptCount: 4 });
    expect(delivery!.attempts.map((attempt) => [attempt.statusCode, attempt.response])).toEqual([
      [500, 'database down'],
      [500, 'database down'],
      [500, 'database down'],
      [200, 'ok'],
    ]);
    clock.advance(24 * 3600 * SECOND);
    expect(await t.app.delivery.worker.runDue()).toBe(0);
  });

  it('delivers every event after a sink comes back, in order within each call', async () => {
    const clock = fakeClock();
    const t = await openApp(clock);
    const sink = await startHttpSink();
    let isUp = false;
    const accepted: { id: string; callKey: string }[] = [];
    sink.answer = (request) => {
      if (!isUp) return { status: 503 };
      accepted.push(
        (JSON.parse(request.body.toString('utf8')) as { data: { id: string; callKey: string } }).data,
      );
      return { status: 204 };
    };
    await addEndpoint(t, { url: sink.url, receives: 'events' });
    const [first, second] = [callFlows(T0)[0]!, callFlows(T0, '440000000001')[1]!];
    await ingest(t, [...first.payloads, ...second.payloads]);
    await t.app.delivery.worker.runDue();
    clock.advance(5 * SECOND);
    await t.app.delivery.worker.runDue();
    isUp = true;
    for (let round = 0; round < 40 && (await deliveries(t, '&status=pending')).length > 0; round += 1) {
      clock.advance(5 * MINUTE);
      await t.app.delivery.worker.runDue();
    }
    const total = first.payloads.length + second.payloads.length;
    expect(await deliveries(t, '&status=delivered')).toHaveLength(total);
    expect(accepted).toHaveLength(total);
    const events = (
      await t.app.inject({ method: 'GET', url: '/api/events?limit=1000', headers: t.auth })
    ).json<{
      items: { id: string; callKey: string }[];
    }>().items;
    for (const key of new Set(events.map((event) => event.callKey))) {
      const inStoreOrder = events.filter((event) => event.callKey === key).map((event) => event.id);
      expect(accepted.filter((event) => event.callKey === key).map((event) => event.id)).toEqual(
        inStoreOrder,
      );
    }
  });

  it('disables an endpoint that answers 410 Gone, and shows why', async () => {
    const t = await openApp(fakeClock());
    const sink = await startHttpSink();
    sink.status = 410;
    const endpoint = await addEndpoint(t, { url: sink.url, receives: 'calls' });
    await ingest(t, missedFlow().payloads);
    await t.app.delivery.worker.runDue();
    const shown = await t.app.inject({
      method: 'GET',
      url: `/api/endpoints/${endpoint.id}`,
      headers: t.auth,
    });
    expect(shown.json()).toMatchObject({ enabled: false, disabledReason: 'the endpoint answered 410 Gone' });
    await ingest(t, callFlows(T0, '440000000002')[3]!.payloads);
    expect(await t.app.delivery.worker.runDue()).toBe(0);
    expect(sink.requests).toHaveLength(1);
  });

  it('gives up on an attempt that gets no answer in time, and retries it', async () => {
    const clock = fakeClock();
    const t = await openApp(clock);
    const sink = await startHttpSink();
    sink.answer = (_request, index) => (index === 0 ? 'hang' : { status: 200 });
    await addEndpoint(t, { url: sink.url, receives: 'calls', timeoutMs: 300 });
    await ingest(t, missedFlow().payloads);
    await t.app.delivery.worker.runDue();
    const [pending] = await deliveries(t);
    expect(pending).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 5 * SECOND });
    expect(pending!.attempts[0]).toMatchObject({ statusCode: null, error: 'timeout: no answer in time' });
    clock.advance(5 * SECOND);
    await t.app.delivery.worker.runDue();
    expect((await deliveries(t))[0]).toMatchObject({ status: 'delivered', attemptCount: 2 });
  });

  it('waits as long as Retry-After says after a 429', async () => {
    const clock = fakeClock();
    const t = await openApp(clock);
    const sink = await startHttpSink();
    sink.answer = () => ({ status: 429, headers: { 'retry-after': '120' } });
    await addEndpoint(t, { url: sink.url, receives: 'calls' });
    await ingest(t, missedFlow().payloads);
    await t.app.delivery.worker.runDue();
    expect((await deliveries(t))[0]).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 120 * SECOND });
  });

  it('continues the retries after a restart, and dead-letters after the last; a replay delivers', async () => {
    const clock = fakeClock();
    const first = await openApp(clock);
    const sink = await startHttpSink();
    sink.status = 503;
    const endpoint = await addEndpoint(first, { url: sink.url, receives: 'calls' });
    await ingest(first, missedFlow().payloads);
    await first.app.delivery.worker.runDue();
    clock.advance(5 * SECOND);
    await first.app.delivery.worker.runDue();
    await first.app.close();
    await first.store.close();

    const t = await openApp(clock, { dir: first.dir, tokens: first.tokens });
    for (const wait of [5, 30, 120, 300, 600, 600].map((minutes) => minutes * MINUTE)) {
      clock.advance(wait);
      expect(await t.app.delivery.worker.runDue()).toBe(1);
    }
    const [failed] = await deliveries(t, `&status=failed&endpoint=${endpoint.id}`);
    expect(failed).toMatchObject({ status: 'failed', attemptCount: 8 });
    expect(sink.requests).toHaveLength(8);

    sink.status = 200;
    const replay = await t.app.inject({
      method: 'POST',
      url: '/api/deliveries/retry',
      headers: t.auth,
      payload: { endpoint: endpoint.id, since: '3d' },
    });
    expect(replay.json()).toEqual({ retried: 1 });
    await t.app.delivery.worker.runDue();
    expect((await deliveries(t))[0]).toMatchObject({ status: 'delivered', attemptCount: 9 });
    expect(new Set(sink.requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
  });

  it('disables an endpoint failing for five days and reports it', async () => {
    const clock = fakeClock();
    const t = await openApp(clock, { overrides: { deliveryRetrySchedule: '0,1d,1d,1d,1d,1d,1d' } });
    const sink = await startHttpSink();
    sink.status = 500;
    const endpoint = await addEndpoint(t, { url: sink.url, receives: 'calls' });
    await ingest(t, missedFlow().payloads);
    for (let day = 0; day <= 5; day += 1) {
      if (day > 0) clock.advance(24 * 3600 * SECOND);
      await t.app.delivery.worker.runDue();
    }
    const shown = (
      await t.app.inject({ method: 'GET', url: `/api/endpoints/${endpoint.id}`, headers: t.auth })
    ).json<Endpoint>();
    expect(shown).toMatchObject({ enabled: false, failingSince: T0 });
    expect(shown.disabledReason).toContain('5 days without a success');
  });

  it('signs with both secrets while a rotation overlaps', async () => {
    const t = await openApp(fakeClock());
    const sink = await startHttpSink();
    const endpoint = await addEndpoint(t, { url: sink.url, receives: 'calls' });
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/api/endpoints/${endpoint.id}/rotate-secret`,
      headers: t.auth,
      payload: {},
    });
    const { secret } = rotated.json<Endpoint>();
    expect(secret).not.toBe(endpoint.secret);
    await ingest(t, missedFlow().payloads);
    await t.app.delivery.worker.runDue();
    verify(endpoint.secret, sink.requests[0]!);
    verify(secret, sink.requests[0]!);
    expect(() => verify('whsec_' + Buffer.alloc(32, 1).toString('base64'), sink.requests[0]!)).toThrow();
  });

  it('refuses private destinations unless they are allowed', async () => {
    const t = await createTestApp({ startDeliveryWorker: false });
    const answer = await t.app.inject({
      method: 'POST',
      url: '/api/endpoints',
      headers: t.auth,
      payload: { url: 'http://169.254.169.254/latest/meta-data', receives: 'events' },
    });
    expect(answer.statusCode).toBe(422);
    expect(answer.json()).toMatchObject({ ok: false, error: { code: 'ENDPOINT_URL_FORBIDDEN' } });
    const wrongFilter = await t.app.inject({
      method: 'POST',
      url: '/api/endpoints',
      headers: t.auth,
      payload: { url: 'https://example.com/hook', receives: 'calls', filter: { kind: 'cdr' } },
    });
    expect(wrongFilter.json()).toMatchObject({ error: { code: 'ENDPOINT_INVALID' } });
  });

  it('manages endpoints over the API: list, update, disable, enable, remove', async () => {
    const t = await openApp(fakeClock());
    const endpoint = await addEndpoint(t, {
      url: 'https://example.com/a',
      receives: 'events',
      filter: { kind: 'cdr' },
    });
    const call = (method: 'GET' | 'PATCH' | 'POST' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });
    expect((await call('GET', '/api/endpoints')).json()).toEqual({ items: [endpoint] });
    const patched = await call('PATCH', `/api/endpoints/${endpoint.id}`, { format: 'teams', rateLimit: 5 });
    expect(patched.json()).toMatchObject({
      format: 'teams',
      rateLimit: 5,
      filter: { kind: ['cdr'] },
      timeoutMs: 15_000,
    });
    expect((await call('POST', `/api/endpoints/${endpoint.id}/disable`)).json()).toMatchObject({
      enabled: false,
    });
    expect((await call('POST', `/api/endpoints/${endpoint.id}/enable`)).json()).toMatchObject({
      enabled: true,
      disabledReason: null,
    });
    expect((await call('DELETE', `/api/endpoints/${endpoint.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/endpoints/${endpoint.id}`)).json()).toMatchObject({
      error: { code: 'ENDPOINT_NOT_FOUND' },
    });
    expect((await t.app.inject({ method: 'GET', url: '/api/endpoints' })).statusCode).toBe(401);
  });

  it('keeps to an endpoint rate limit', async () => {
    const clock = fakeClock();
    const t = await openApp(clock);
    const sink = await startHttpSink();
    await addEndpoint(t, { url: sink.url, receives: 'events', rateLimit: 2 });
    await ingest(
      t,
      callFlows(T0)
        .slice(0, 5)
        .map((flow) => flow.payloads[0]!),
    );
    await t.app.delivery.worker.runDue();
    expect(sink.requests).toHaveLength(2);
    clock.advance(500);
    await t.app.delivery.worker.runDue();
    expect(sink.requests).toHaveLength(3);
    clock.advance(1000);
    await t.app.delivery.worker.runDue();
    expect(sink.requests).toHaveLength(5);
  });

  it('does not connect to a private address when they are not allowed, even if the endpoint was saved', async () => {
    const sink = await startHttpSink();
    const sender = createSender({ allowPrivate: false });
    onTestFinished(() => sender.close());
    const outgoing = { headers: {}, body: '{}', timeoutMs: 1000 };
    const byAddress = await sender.send({ ...outgoing, url: sink.url }, T0);
    expect(byAddress).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/^BLOCKED_ADDRESS/) as string,
    });
    const byName = await sender.send({ ...outgoing, url: sink.url.replace('127.0.0.1', 'localhost') }, T0);
    expect(byName).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/^BLOCKED_ADDRESS: localhost is not a public address/) as string,
    });
    expect(sink.requests).toHaveLength(0);
  });

  it('notifies a call that went stale once, as call.ended', async () => {
    const clock = fakeClock();
    const t = await openApp(clock);
    const sink = await startHttpSink();
    const endpoint = await addEndpoint(t, { url: sink.url, receives: 'calls' });
    const flow = callFlows(T0).find((candidate) => candidate.expected['closedBy'] === 'events')!;
    await ingest(t, flow.payloads.slice(0, 1));
    await t.app.delivery.worker.runDue();
    expect(sink.requests).toHaveLength(0);
    clock.advance(3 * 3600 * SECOND);
    await t.app.projection.sweepStale();
    await t.app.delivery.scheduler.settled();
    await t.app.delivery.worker.runDue();
    await t.app.projection.sweepStale();
    await t.app.delivery.scheduler.settled();
    await t.app.delivery.worker.runDue();
    expect(sink.requests.map((request) => verify(endpoint.secret, request))).toEqual([
      expect.objectContaining({
        type: 'call.ended',
        data: expect.objectContaining({ closedBy: 'stale' }) as unknown,
      }),
    ]);
  });

  it('sends each delivery once with two workers on one store, and enqueues nothing twice after a restart', async () => {
    const clock = fakeClock();
    const first = await openApp(clock);
    const sink = await startHttpSink();
    await addEndpoint(first, { url: sink.url, receives: 'events' });
    const payloads = callFlows(T0).flatMap((flow) => flow.payloads);
    await ingest(first, payloads);
    const other = createSqliteStore({ file: first.file });
    const second = createDeliveryWorker({
      store: other,
      sender: createSender({ allowPrivate: true }),
      logger: pino({ level: 'silent' }),
      now: clock.now,
      workerId: 'second',
      schedule: [0],
      disableAfterMs: 86_400_000,
    });
    onTestFinished(async () => {
      await second.stop();
      await other.close();
    });
    const [a, b] = await Promise.all([first.app.delivery.worker.runDue(), second.runDue()]);
    expect(a + b).toBe(payloads.length);
    const ids = sink.requests.map((request) => request.headers['webhook-id']);
    expect(new Set(ids).size).toBe(payloads.length);
    expect(ids).toHaveLength(payloads.length);

    // As if the process had stopped before saving its position: a restart reads every event again.
    await first.store.enqueueDeliveries([], { name: 'events', position: '0' });
    await first.app.close();
    await first.store.close();
    const t = await openApp(clock, { dir: first.dir, tokens: first.tokens });
    await t.app.delivery.scheduler.settled();
    expect(await t.store.getDeliveryCursor('events')).toBe(String(payloads.length));
    expect(await t.app.delivery.worker.runDue()).toBe(0);
    expect(await t.store.countDeliveries({})).toBe(payloads.length);
  });

  it('saves its position without an endpoint only from time to time, and at once when an endpoint is added', async () => {
    const t = await createTestApp({ startDeliveryWorker: false, overrides: { allowPrivateEndpoints: '1' } });
    onTestFinished(async () => {
      await t.app.close();
      await t.store.close();
    });
    await t.app.delivery.scheduler.settled();
    const start = await t.store.getDeliveryCursor('events');
    const [first, second] = callFlows(T0);
    await ingest(t, first!.payloads);
    // Nothing to send: no write per fold (the position is saved within a second, not now).
    expect(await t.store.getDeliveryCursor('events')).toBe(start);
    await vi.waitFor(
      async () => expect(await t.store.getDeliveryCursor('events')).toBe(String(first!.payloads.length)),
      {
        timeout: 3000,
      },
    );

    await ingest(t, second!.payloads);
    const folded = await t.store.getProjectionPosition();
    const sink = await startHttpSink();
    await addEndpoint(t, { url: sink.url, receives: 'events' });
    await vi.waitFor(async () => expect(await t.store.getDeliveryCursor('events')).toBe(folded));
    // A restart catches up from there: nothing received before the endpoint existed is sent to it.
    await t.app.close();
    await t.store.close();
    const again = await openApp(fakeClock(Date.now()), { dir: t.dir, tokens: t.tokens });
    await again.app.delivery.scheduler.settled();
    expect(await again.store.countDeliveries({})).toBe(0);
    await again.app.close();
    await again.store.close();
  });

  it('forwards nothing when a lost calls file is folded again: those events came before the endpoint', async () => {
    const first = await createTestApp({
      startDeliveryWorker: false,
      overrides: { allowPrivateEndpoints: '1' },
    });
    await ingest(
      first,
      callFlows(T0).flatMap((flow) => flow.payloads),
    );
    const sink = await startHttpSink();
    await addEndpoint(first, { url: sink.url, receives: 'events' });
    await addEndpoint(first, { url: sink.url, receives: 'calls' });
    await first.app.close();
    await first.store.close();
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(path.join(first.dir, `telehook-calls.db${suffix}`), { force: true });

    const t = await createTestApp({
      startDeliveryWorker: false,
      overrides: { allowPrivateEndpoints: '1' },
      dir: first.dir,
      tokens: first.tokens,
    });
    await t.app.projection.settled();
    await t.app.delivery.scheduler.settled();
    expect((await t.store.listCalls({ limit: 100 })).items.length).toBeGreaterThan(0);
    expect(await t.store.countDeliveries({})).toBe(0);
  });

  it('does not follow a redirect: the attempt is recorded and retried', async () => {
    const t = await openApp(fakeClock());
    const elsewhere = await startHttpSink();
    const sink = await startHttpSink();
    sink.answer = () => ({ status: 307, headers: { location: elsewhere.url } });
    await addEndpoint(t, { url: sink.url, receives: 'calls' });
    await ingest(t, missedFlow().payloads);
    await t.app.delivery.worker.runDue();
    expect(elsewhere.requests).toHaveLength(0);
    expect((await deliveries(t))[0]).toMatchObject({
      status: 'pending',
      nextAttemptAt: T0 + 5 * SECOND,
      attempts: [{ statusCode: 307 }],
    });
  });

  it('shuts down without waiting for an endpoint that does not answer, and sends its delivery again later', async () => {
    const first = await createTestApp({ overrides: { allowPrivateEndpoints: '1' } });
    const sink = await startHttpSink();
    sink.answer = () => 'hang';
    await addEndpoint(first, { url: sink.url, receives: 'calls', timeoutMs: 60_000 });
    await ingest(first, missedFlow().payloads);
    await vi.waitFor(() => expect(sink.requests).toHaveLength(1), { timeout: 5000, interval: 20 });
    await first.app.close();
    await first.store.close();
    const store = createSqliteStore({ file: first.file });
    onTestFinished(() => store.close());
    const [pending] = (await store.listDeliveries({ limit: 10 })).items;
    expect(pending).toMatchObject({ status: 'pending', attemptCount: 0 });
    const claimed = await store.claimDeliveries({
      workerId: 'next',
      now: Date.now(),
      leaseMs: 1000,
      limit: 10,
      maxPerEndpoint: 10,
    });
    expect(claimed.map((delivery) => delivery.id)).toEqual([pending!.id]);
  });
});
