import Fastify from 'fastify';
import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';

import {
  createLiveBus,
  createLivePublisher,
  type LiveBus,
  type LiveMessage,
  liveRoutes,
} from '../../src/live/index.js';
import { generateScenario } from '../../src/scenarios/index.js';
import type { FoldedBatch, Store, StoredEvent } from '../../src/store/index.js';
import { openSse, type SseMessage } from '../helpers/sse-client.js';
import { createTestApp } from '../helpers/test-app.js';

/**
 * `telehook tail` printed a call's events twice after the server restarted: a client resumes after the last id it
 * was sent, and that id went backwards. A `stats` message carried the position its figures were asked at, sent
 * after the events folded meanwhile; and a stream that started during a fold was sent that fold's call messages,
 * older than its snapshot. Whatever a client is sent, the ids it keeps must never go back.
 */

const numericIds = (messages: readonly { id: string | null }[]): number[] =>
  messages.filter((message) => message.id !== null && message.id !== '').map((message) => Number(message.id));

const isNonDecreasing = (ids: readonly number[]): boolean =>
  ids.every((id, i) => i === 0 || id >= ids[i - 1]!);

const batch = (cursor: number, key: string): FoldedBatch =>
  ({
    events: [
      { id: `e${cursor}`, cursor: String(cursor), callKey: key, receivedAt: 0 } as unknown as StoredEvent,
    ],
    changed: [],
    removed: [key],
    position: String(cursor),
  }) satisfies FoldedBatch;

/** A call folded through a test app: the store, its projection position and the call. */
async function foldedCall(scenario: 'incoming-answered' | 'incoming-abandoned', seed: number) {
  const t = await createTestApp();
  for (const step of generateScenario(scenario, { seed, startAt: Date.now() - 1000 }))
    await t.app.inject({ method: 'POST', url: t.ingestPath, payload: JSON.stringify(step.payload) });
  await t.app.inject({ url: '/api/calls', headers: t.auth });
  const position = await t.store.getProjectionPosition();
  expect(position).not.toBeNull();
  const [call] = (await t.store.listCalls({ limit: 1 })).items;
  expect(call).toBeDefined();
  return { store: t.store, position: position!, call: call! };
}

/** The live route alone over that store and a bus of the test's own, with one stream open on it. */
async function streamOver(store: Store, bus: LiveBus, settled: () => Promise<void>) {
  const app = Fastify();
  await app.register(liveRoutes({ store, bus, snapshot: async () => ({ live: [] }), settled }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  onTestFinished(() => app.close());
  return openSse(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/live`);
}

describe('live stream ids never go back', () => {
  it('a stats message computed while more events were folded does not carry an older id than theirs', async () => {
    const bus = createLiveBus();
    const sent: LiveMessage[] = [];
    const unsubscribe = bus.subscribe((published) => sent.push(...published.frames.map((f) => f.message)));
    onTestFinished(unsubscribe);
    let release: (() => void) | null = null;
    let asked = 0;
    const publisher = createLivePublisher({
      bus,
      logger: pino({ level: 'silent' }),
      statsIntervalMs: 0,
      // The first figures take a while: the fold goes on meanwhile.
      figures: async () => {
        asked += 1;
        if (asked === 1) await new Promise<void>((resolve) => (release = resolve));
        return {};
      },
    });
    onTestFinished(() => publisher.stop());

    publisher.folded(batch(5, 'a'));
    await expect.poll(() => release !== null).toBe(true);
    publisher.folded(batch(9, 'b'));
    await expect.poll(() => sent.some((message) => message.id === '9')).toBe(true);
    release!();
    await expect.poll(() => sent.some((message) => message.type === 'stats')).toBe(true);

    expect(isNonDecreasing(numericIds(sent)), JSON.stringify(sent.map((m) => [m.type, m.id]))).toBe(true);
  });

  it('a stream that starts while a fold is being told is not sent that fold again after its snapshot', async () => {
    const { store, position, call } = await foldedCall('incoming-answered', 7);

    // The notice of the last fold reaches this stream's bus after the stream subscribed and before its snapshot
    // read the position (as a notice from the fold thread or another process can): already in the snapshot.
    const bus = createLiveBus();
    const stream = await streamOver(store, bus, async () => {
      bus.publish({ type: 'event', id: position, data: { late: true } } as unknown as LiveMessage);
      bus.publish({ type: 'call', id: position, data: call });
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    const snapshot = await stream.waitFor((message) => message.event === 'snapshot');
    expect(snapshot.id).toBe(position);

    bus.publish({ type: 'stats', id: null, data: { marker: true } });
    await stream.waitFor((message) => message.event === 'stats');
    const after = stream.messages.slice(stream.messages.indexOf(snapshot) + 1);
    expect(after.map((message: SseMessage) => message.event)).toEqual(['stats']);
    expect(isNonDecreasing(numericIds(stream.messages))).toBe(true);
  });

  it('a fold told after the snapshot that already holds it (the wait for the fold timed out) is not sent again', async () => {
    const { store, position, call } = await foldedCall('incoming-abandoned', 8);

    // The fold committed (the snapshot reads its position) and its notice comes later: telehook tail printed a
    // call's events twice after a restart, when the first fold of the new process was slow.
    const bus = createLiveBus();
    const stream = await streamOver(store, bus, async () => undefined);
    const snapshot = await stream.waitFor((message) => message.event === 'snapshot');
    expect(snapshot.id).toBe(position);

    bus.publish({ type: 'event', id: position, data: { late: true } } as unknown as LiveMessage);
    bus.publish({ type: 'call', id: position, data: call });
    bus.publish({
      type: 'event',
      id: String(Number(position) + 1),
      data: { next: true },
    } as unknown as LiveMessage);
    await stream.waitFor((message) => message.event === 'event');
    const after = stream.messages.slice(stream.messages.indexOf(snapshot) + 1);
    expect(after.map((message: SseMessage) => [message.event, message.id])).toEqual([
      ['event', String(Number(position) + 1)],
    ]);
  });
});
