import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildApp } from '../../src/app.js';
import { openStore } from '../../src/cli/open-store.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { Store } from '../../src/store/index.js';
import type { WriterThread } from '../../src/writer/index.js';

const FIXTURES = new URL('../fixtures/telecmi/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8');
const tokens = { ingestToken: 'ingest-token', apiToken: 'api-token', viewerToken: 'viewer-token' };

/** The server as `telehook serve` builds it on SQLite: the calls projection in the calls writer thread. */
describe('the calls writer thread', () => {
  let dir: string;
  let store: Store;
  let writer: WriterThread;
  let app: FastifyInstance;

  /** Opens the data directory as `telehook serve` does. */
  const open = async (): Promise<void> => {
    const config = loadConfig({ overrides: { dataDir: dir, logLevel: 'silent' } });
    const logger = createLogger(config);
    const opened = await openStore(config, { writerThread: { logger, settings: config } });
    store = opened.store;
    writer = opened.writer!;
    app = await buildApp(config, { store, logger, tokens, projectionIn: writer.projection });
    await app.ready();
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'telehook-writer-'));
    await open();
  });

  afterEach(async () => {
    await app.close();
    await store.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: string) =>
    app.inject({
      method: 'POST',
      url: `/webhooks/telecmi/${tokens.ingestToken}`,
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
  const api = (url: string, method: 'GET' | 'POST' = 'GET') =>
    app.inject({ method, url, headers: { authorization: `Bearer ${tokens.apiToken}` } });

  it('folds the committed events into calls (duplicates once) that reads then see', async () => {
    const waiting = fixture('chub-incoming-event-waiting');
    const first = await post(waiting);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ ok: true, duplicate: false });
    const again = await post(waiting);
    expect(again.json()).toEqual({ ok: true, id: first.json<{ id: string }>().id, duplicate: true });
    expect((await post(fixture('chub-incoming-cdr-answered'))).statusCode).toBe(200);

    const events = await api('/api/events');
    expect(events.json<{ items: unknown[] }>().items).toHaveLength(2);
    // Read your writes: the calls read waits until the thread has folded what was committed before it.
    const calls = (await api('/api/calls')).json<{ items: { key: string; eventCount: number }[] }>();
    expect(calls.items.length).toBeGreaterThanOrEqual(1);
    expect(calls.items.reduce((sum, call) => sum + call.eventCount, 0)).toBe(2);
    expect(app.projection.folded).toBe(2);
    expect(await store.countEventsToProject()).toBe(0);
  });

  it('quarantines a body that is not a TeleCMI payload', async () => {
    const response = await post('{"hello":"world"}');
    expect(response.statusCode).toBe(422);
    const quarantine = (await api('/api/quarantine')).json<{ items: { reason: string }[] }>();
    expect(quarantine.items).toHaveLength(1);
  });

  it('rebuilds the calls in the thread', async () => {
    await post(fixture('chub-incoming-event-waiting'));
    await post(fixture('chub-incoming-cdr-missed'));
    const rebuilt = await api('/api/rebuild', 'POST');
    expect(rebuilt.statusCode).toBe(200);
    expect(rebuilt.json()).toMatchObject({ events: 2 });
    const calls = (await api('/api/calls')).json<{ items: { eventCount: number }[] }>();
    expect(calls.items.reduce((sum, call) => sum + call.eventCount, 0)).toBe(2);
  });

  it('keeps acknowledging events once the thread has ended; reads of calls answer 503 until a thread folds them', async () => {
    await writer.close();
    const response = await post(fixture('chub-incoming-event-waiting'));
    expect(response.statusCode).toBe(200);
    expect(await store.countEvents()).toBe(1);
    const calls = await api('/api/calls');
    expect(calls.statusCode).toBe(503);
    expect(calls.json()).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    expect(await store.countEventsToProject()).toBe(1);
  });

  it('starts a new thread a second after the thread dies, which folds what was acknowledged meanwhile', async () => {
    expect((await post(fixture('chub-incoming-event-waiting'))).statusCode).toBe(200);
    expect((await api('/api/calls')).json<{ items: unknown[] }>().items).toHaveLength(1);
    await writer.kill();
    expect((await post(fixture('piopiy-incoming-event-answered'))).statusCode).toBe(200);
    expect((await api('/api/calls')).statusCode).toBe(503);
    // The new thread reads the event committed while no thread ran from the events' file.
    await expect
      .poll(async () => (await api('/api/calls')).json<{ items?: unknown[] }>().items?.length, {
        timeout: 10_000,
      })
      .toBe(2);
    expect(await store.countEventsToProject()).toBe(0);
  });

  it('keeps the calls in a file of their own, next to the events', async () => {
    await post(fixture('chub-incoming-event-waiting'));
    await api('/api/calls');
    expect(existsSync(path.join(dir, 'telehook-calls.db'))).toBe(true);
  });

  it('folds the calls again from the events when the calls file is lost', async () => {
    await post(fixture('chub-incoming-event-waiting'));
    await post(fixture('chub-incoming-cdr-missed'));
    const before = (await api('/api/calls')).json<{ items: unknown[] }>().items;
    expect(before.length).toBeGreaterThanOrEqual(1);
    await app.close();
    await store.close();
    await writer.close();
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(path.join(dir, `telehook-calls.db${suffix}`), { force: true });

    await open();
    const after = (await api('/api/calls')).json<{ items: unknown[] }>().items;
    expect(after).toEqual(before);
  });
});
