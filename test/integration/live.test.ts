import { connect } from 'node:net';
import path from 'node:path';

import Fastify from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';

import { createLiveBus, liveRoutes } from '../../src/live/index.js';
import { generateScenario } from '../../src/scenarios/index.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openSse } from '../helpers/sse-client.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

async function listening(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
}

const post = (t: TestApp, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: t.ingestPath, payload: JSON.stringify(payload) });

describe('live stream', () => {
  it('starts with a snapshot, sends event and call messages, and replays what a reconnecting client missed', async () => {
    const t = await createTestApp();
    const base = await listening(t);
    const [first, second, third] = [1, 2, 3].map((seed) =>
      generateScenario('incoming-answered', { seed, startAt: Date.now() - 1000 }),
    );
    const stream = await openSse(`${base}/api/live?token=${t.tokens.viewerToken}`);
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    const snapshot = await stream.waitFor((message) => message.event === 'snapshot');
    expect(snapshot.data).toMatchObject({
      live: [],
      totals: { offered: 0 },
      settings: { waitAmberSec: 60 },
    });

    await post(t, first![0]!.payload);
    const call = await stream.waitFor((message) => message.event === 'call');
    const key = first![0]!.payload['conversation_uuid'];
    expect(call.data).toMatchObject({ key, state: 'waiting' });
    const event = await stream.waitFor((message) => message.event === 'event');
    const lastSeen = event.id!;
    stream.close();

    // Missed while disconnected: two more callers start waiting.
    await post(t, second![0]!.payload);
    await post(t, third![0]!.payload);
    await t.app.inject({ url: '/api/calls', headers: t.auth });

    const resumed = await openSse(`${base}/api/live`, {
      authorization: `Bearer ${t.tokens.apiToken}`,
      'last-event-id': lastSeen,
    });
    await resumed.waitFor((message) => message.event === 'snapshot');
    const replayed = await resumed.waitFor(
      (message) =>
        message.event === 'call' &&
        JSON.stringify(message.data).includes(String(third![0]!.payload['conversation_uuid'])),
    );
    expect(replayed.data).toMatchObject({ state: 'waiting' });
    const events = resumed.messages.filter((message) => message.event === 'event');
    expect(events).toHaveLength(2);
    expect(events.every((message) => Number(message.id) > Number(lastSeen))).toBe(true);
  });

  it('takes the viewer token only for what the wallboard reads', async () => {
    const t = await createTestApp();
    const viewer = { authorization: `Bearer ${t.tokens.viewerToken}` };
    // The call list's exports are the list it reads, downloaded (the /calls page's CSV link).
    for (const url of ['/api/stats', '/api/calls', '/api/missed', '/api/calls.csv', '/api/calls.ndjson'])
      expect((await t.app.inject({ url, headers: viewer })).statusCode, url).toBe(200);
    for (const url of ['/api/events', '/api/quarantine']) {
      const response = await t.app.inject({ url, headers: viewer });
      expect(response.statusCode, url).toBe(403);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('FORBIDDEN');
    }
    expect((await t.app.inject({ method: 'POST', url: '/api/rebuild', headers: viewer })).statusCode).toBe(
      403,
    );
    expect((await t.app.inject({ url: '/api/live' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: `/api/stats?token=${t.tokens.viewerToken}` })).statusCode).toBe(401);
  });

  it('sends a heartbeat and drops a client that does not read instead of buffering without bound', async () => {
    const file = path.join(tempDir(), 'telehook.db');
    const store = createSqliteStore({ file });
    onTestFinished(() => store.close());
    const bus = createLiveBus();
    const app = Fastify();
    await app.register(
      liveRoutes({
        store,
        bus,
        snapshot: async () => ({ live: [] }),
        settled: async () => undefined,
        heartbeatMs: 50,
        maxBufferedBytes: 64 * 1024,
      }),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    onTestFinished(() => app.close());
    const port = (app.server.address() as { port: number }).port;

    const reading = await openSse(`http://127.0.0.1:${port}/api/live`);
    await reading.waitForComment();

    // A client that connects and never reads.
    const socket = connect(port, '127.0.0.1');
    socket.write(`GET /api/live HTTP/1.1\r\nHost: x\r\n\r\n`);
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    const closed = new Promise((resolve) => socket.once('close', resolve));
    expect(bus.size).toBe(2);
    const big = 'x'.repeat(16 * 1024);
    // At a pace a reading client keeps up with (the bus sends what is published meanwhile as one batch).
    for (let n = 0; n < 2000 && bus.size === 2; n += 1) {
      bus.publish({ type: 'stats', id: null, data: { big } });
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(bus.size).toBe(1);
    socket.destroy();
    await closed;
    reading.close();
  });
});
