import { connect, type Socket } from 'node:net';
import path from 'node:path';

import Fastify from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';

import { loadConfig } from '../../src/config.js';
import {
  createLiveBus,
  createLivePublisher,
  type LiveBatch,
  type LiveMessage,
  liveRoutes,
} from '../../src/live/index.js';
import { generateScenario, type ScenarioName } from '../../src/scenarios/index.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { loadLiveStateScript, plainState } from '../helpers/live-state.js';
import { openSse } from '../helpers/sse-client.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Issue 15 ("One bad request must never break the wallboard"), the live fan-out: with 1,000 wallboards, every
 * event sent each of them the whole dashboard (150–180 KB), formatted once per client, and ingest took a second.
 */

async function listening(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
}

/** A bare live route over a real SQLite store, with the bus and snapshot given. */
async function liveServer(options: { snapshot?: () => Promise<unknown>; maxBufferedBytes?: number } = {}) {
  const store = createSqliteStore({ file: path.join(tempDir(), 'telehook.db') });
  onTestFinished(() => store.close());
  const bus = createLiveBus();
  const app = Fastify();
  await app.register(
    liveRoutes({
      store,
      bus,
      snapshot: options.snapshot ?? (async () => ({ live: [] })),
      settled: async () => undefined,
      maxBufferedBytes: options.maxBufferedBytes,
    }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  onTestFinished(() => app.close());
  return { bus, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/live` };
}

/** A raw client that reads everything and keeps the bytes, to compare what two clients were sent. */
function rawClient(url: string): { socket: Socket; text: () => string } {
  const { port, pathname } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.write(`GET ${pathname} HTTP/1.1\r\nHost: x\r\n\r\n`);
  onTestFinished(() => void socket.destroy());
  return { socket, text: () => received };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('issue 15: live fan-out that scales', () => {
  it('formats a message once however many clients are connected, and writes each the same bytes', async () => {
    const { bus, url } = await liveServer();
    const clients = Array.from({ length: 8 }, () => rawClient(url));
    await until(
      () => bus.size === 8 && clients.every((c) => c.text().includes('event: snapshot')),
      'snapshots',
    );

    // JSON.stringify calls toJSON each time it formats the message: this counts the formatting, nothing else.
    let formatted = 0;
    const probe = { toJSON: () => ((formatted += 1), 'probe-15') };
    bus.publish({ type: 'stats', id: '7', data: { probe } });
    await until(() => clients.every((c) => c.text().includes('probe-15')), 'the message on every client');

    expect(formatted).toBe(1);
    for (const client of clients)
      expect(client.text()).toContain('id: 7\nevent: stats\ndata: {"probe":"probe-15"}\n\n');
  });

  it('hands every listener of the bus the same Buffer, one per flush for what was published together', async () => {
    const bus = createLiveBus();
    const received: LiveBatch[][] = [[], [], []];
    for (const list of received) bus.subscribe((batch) => list.push(batch));
    const call = { key: 'k1', state: 'waiting' } as unknown;
    bus.publish({ type: 'event', id: '1', data: { id: 'e1' } } as LiveMessage);
    bus.publish({ type: 'call', id: '1', data: call } as LiveMessage);
    await until(() => received.every((list) => list.length === 1), 'one batch each');

    const [first, second, third] = received.map((list) => list[0]!);
    expect(second!.bytes).toBe(first!.bytes);
    expect(third!.bytes).toBe(first!.bytes);
    expect(first!.frames.map((frame) => frame.message.type)).toEqual(['event', 'call']);
    expect(first!.bytes.toString()).toBe(first!.frames.map((frame) => frame.text).join(''));
  });

  it('computes one snapshot for the streams that connect while one is being computed, not one each', async () => {
    let computed = 0;
    const { bus, url } = await liveServer({
      snapshot: async () => {
        computed += 1;
        await new Promise((resolve) => setTimeout(resolve, 200));
        return { live: [], n: computed };
      },
    });
    const clients = Array.from({ length: 10 }, () => rawClient(url));
    await until(
      () => bus.size === 10 && clients.every((c) => c.text().includes('event: snapshot')),
      'snapshots',
    );
    expect(computed).toBeLessThanOrEqual(3);
  });

  it('answers 503 LIVE_TOO_MANY_CLIENTS with Retry-After past the cap, and lets a client in when one leaves', async () => {
    const t = await createTestApp({ overrides: { liveMaxClients: 2 } });
    const base = await listening(t);
    const url = `${base}/api/live?token=${t.tokens.viewerToken}`;
    const first = await openSse(url);
    const second = await openSse(url);
    await Promise.all([first, second].map((s) => s.waitFor((message) => message.event === 'snapshot')));

    const refused = await fetch(url);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.headers.get('content-type')).toContain('application/json');
    const body = (await refused.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body).toEqual({
      ok: false,
      error: { code: 'LIVE_TOO_MANY_CLIENTS', message: expect.stringContaining('TELEHOOK_LIVE_MAX_CLIENTS') },
    });

    first.close();
    let status = 0;
    const started = Date.now();
    while (status !== 200 && Date.now() - started < 10_000) {
      const controller = new AbortController();
      const response = await fetch(url, { signal: controller.signal });
      status = response.status;
      controller.abort();
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(200);
  });

  it('reads the cap from TELEHOOK_LIVE_MAX_CLIENTS, 1000 by default, and refuses a cap of 0', () => {
    expect(loadConfig({ env: {} }).liveMaxClients).toBe(1000);
    expect(loadConfig({ env: { TELEHOOK_LIVE_MAX_CLIENTS: '25' } }).liveMaxClients).toBe(25);
    expect(() => loadConfig({ env: { TELEHOOK_LIVE_MAX_CLIENTS: '0' } })).toThrow(
      /TELEHOOK_LIVE_MAX_CLIENTS/,
    );
  });

  it('drops a client that does not read, and the others keep getting every message', async () => {
    const { bus, url } = await liveServer({ maxBufferedBytes: 64 * 1024 });
    const readers = [rawClient(url), rawClient(url)];
    const stalled = rawClient(url);
    await until(() => [...readers, stalled].every((c) => c.text().includes('event: snapshot')), 'snapshots');
    stalled.socket.pause();

    const big = 'x'.repeat(16 * 1024);
    for (let n = 0; n < 3000 && bus.size === 3; n += 1) {
      bus.publish({ type: 'stats', id: null, data: { big } });
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(bus.size).toBe(2);

    bus.publish({ type: 'stats', id: null, data: { after: 'the-drop' } });
    await until(() => readers.every((reader) => reader.text().includes('the-drop')), 'the readers');
  });

  it("sends today's figures at most once a second however many events are folded, and after the last one", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date'] });
    const bus = createLiveBus();
    const stats: unknown[] = [];
    bus.subscribe((batch) => {
      for (const frame of batch.frames) if (frame.message.type === 'stats') stats.push(frame.message.data);
    });
    let computed = 0;
    const publisher = createLivePublisher({
      bus,
      logger: pino({ level: 'silent' }),
      figures: async () => ({ generatedAt: Date.now(), totals: { folds: computed++ } }),
    });
    onTestFinished(() => publisher.stop());

    // 200 folds over 4 s, one every 20 ms.
    let lastFoldAt = 0;
    for (let n = 0; n < 200; n += 1) {
      lastFoldAt = Date.now();
      publisher.folded({ events: [], changed: [], removed: [], position: String(n + 1) });
      await vi.advanceTimersByTimeAsync(20);
    }
    await vi.advanceTimersByTimeAsync(1500);
    expect(computed).toBeGreaterThanOrEqual(4);
    expect(computed).toBeLessThanOrEqual(5);
    expect(stats).toHaveLength(computed);
    // The last figures were computed after the last fold, not before it.
    expect((stats.at(-1) as { generatedAt: number }).generatedAt).toBeGreaterThanOrEqual(lastFoldAt);
  });

  it('gives a wallboard that applied every message the same state as a fresh snapshot', async () => {
    const t = await createTestApp();
    const base = await listening(t);
    const url = `${base}/api/live?token=${t.tokens.viewerToken}`;
    const script = loadLiveStateScript();
    const watching = await openSse(url);
    await watching.waitFor((message) => message.event === 'snapshot');

    // Calls of every kind, their events interleaved, posted in three bursts so that figures go out between them.
    const names: ScenarioName[] = [
      'incoming-answered',
      'incoming-abandoned',
      'incoming-missed-voicemail',
      'incoming-agent-no-answer',
      'outgoing-answered',
      'outgoing-missed',
    ];
    const calls = Array.from({ length: 12 }, (_, n) =>
      generateScenario(names[n % names.length]!, {
        seed: 150 + n,
        startAt: Date.now() - 600_000 + n * 20_000,
        team: n % 2 === 0 ? 'Sales' : 'Support',
      }),
    );
    // Every third call is still going on at the end: its first two events only.
    const payloads = calls.flatMap((call, n) =>
      (n % 3 === 0 ? call.slice(0, 2) : call).map((payload, index) => ({
        payload: payload.payload,
        order: index * 12 + n,
      })),
    );
    payloads.sort((a, b) => a.order - b.order);
    for (const [index, { payload }] of payloads.entries()) {
      const response = await t.app.inject({
        method: 'POST',
        url: t.ingestPath,
        payload: JSON.stringify(payload),
      });
      expect(response.statusCode).toBe(200);
      if (index % Math.ceil(payloads.length / 3) === 0)
        await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    await t.app.inject({ url: '/api/calls', headers: t.auth });

    // A fresh wallboard's snapshot; the one watching is sent the same figures as a stats message.
    const fresh = await openSse(url);
    const snapshot = await fresh.waitFor((message) => message.event === 'snapshot');
    const { generatedAt } = snapshot.data as { generatedAt: number };
    await watching.waitFor(
      (message) =>
        message.event === 'stats' && (message.data as { generatedAt: number }).generatedAt === generatedAt,
    );

    const applied = script.createLiveState();
    for (const message of watching.messages) script.applyLiveMessage(applied, message.event, message.data);
    const expected = script.createLiveState();
    script.applyLiveMessage(expected, 'snapshot', snapshot.data);
    expect(watching.messages.filter((message) => message.event === 'stats').length).toBeGreaterThan(2);
    expect(plainState(applied)).toEqual(plainState(expected));
    expect(plainState(expected).live.length).toBeGreaterThan(0);
    expect((plainState(expected).figures as { missed: unknown[] }).missed.length).toBeGreaterThan(0);
  });
});
