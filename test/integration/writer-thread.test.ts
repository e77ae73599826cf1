import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openApp } from '../../src/open-app.js';
import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { normalise, parse } from '../../src/telecmi/index.js';

const FIXTURES = new URL('../fixtures/telecmi/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8');
const tokens = { ingestToken: 'ingest-token', apiToken: 'api-token', viewerToken: 'viewer-token' };

/** The server as `telehook serve` builds it on SQLite: the calls projection in the store's fold thread. */
describe('the fold thread', () => {
  let dir: string;
  let store: SqliteStore;
  let app: FastifyInstance;
  let close: () => Promise<void>;

  /** Opens the data directory as `telehook serve` does. */
  const open = async (): Promise<void> => {
    const config = loadConfig({ overrides: { dataDir: dir, logLevel: 'silent' } });
    const logger = createLogger(config);
    const opened = await openApp(config, { logger, tokens });
    ({ app, close } = opened);
    store = opened.store as SqliteStore;
    await app.ready();
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'telehook-writer-'));
    await open();
  });

  afterEach(async () => {
    await close();
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

  it('answers reads on an empty data directory before its first event, which it then folds', async () => {
    expect((await api('/api/calls')).json<{ items: unknown[] }>().items).toEqual([]);
    expect((await api('/api/stats')).statusCode).toBe(200);
    expect(app.projection.folded).toBe(0);
    expect((await post(fixture('chub-incoming-event-waiting'))).statusCode).toBe(200);
    expect((await api('/api/calls')).json<{ items: unknown[] }>().items).toHaveLength(1);
    expect(app.projection.folded).toBe(1);
  });

  it('folds nothing once stopped, also when the first event comes after the stop', async () => {
    await app.projection.stop();
    expect((await post(fixture('chub-incoming-event-waiting'))).statusCode).toBe(200);
    expect((await api('/api/calls')).json<{ items: unknown[] }>().items).toEqual([]);
    expect(await store.countEventsToProject()).toBe(1);
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
    await store.endFoldThread('close');
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
    await store.endFoldThread('crash');
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

  it('folds, once woken, events that another connection stored in the file', async () => {
    await post(fixture('chub-incoming-event-waiting'));
    expect((await api('/api/calls')).json<{ items: unknown[] }>().items).toHaveLength(1);
    // A second store on the same file (an import): its commits are not handed to this store's fold thread.
    const other = createSqliteStore({ file: path.join(dir, 'telehook.db'), foldThread: false });
    const body = fixture('piopiy-incoming-event-answered');
    const parsed = parse(Buffer.from(body), 'application/json');
    if (!parsed.ok) throw new Error('fixture does not parse');
    const event = normalise(parsed.value, { id: 'evt_other', receivedAt: Date.now() });
    await other.appendEvent({
      event,
      body: Buffer.from(body),
      dedupeKey: 'other-connection',
      method: 'POST',
      contentType: 'application/json',
    });
    await other.close();
    expect(await store.countEventsToProject()).toBe(1);
    app.projection.wake();
    await expect.poll(() => store.countEventsToProject(), { timeout: 5000 }).toBe(0);
    expect((await api('/api/calls')).json<{ items: unknown[] }>().items).toHaveLength(2);
  });

  it('folds at start the events stored while no server ran, reading them back from the file', async () => {
    await close();
    // Stored by a store that folds nothing (an import, or a server killed before its fold): a backlog at start.
    const other = createSqliteStore({ file: path.join(dir, 'telehook.db'), foldThread: false });
    for (const [index, name] of ['chub-incoming-event-waiting', 'chub-incoming-cdr-missed'].entries()) {
      const body = fixture(name);
      const parsed = parse(Buffer.from(body), 'application/json');
      if (!parsed.ok) throw new Error(`${name} does not parse`);
      await other.appendEvent({
        event: normalise(parsed.value, { id: `evt_backlog_${index}`, receivedAt: Date.now() }),
        body: Buffer.from(body),
        dedupeKey: `backlog-${index}`,
        method: 'POST',
        contentType: 'application/json',
      });
    }
    await other.close();

    await open();
    const calls = (await api('/api/calls')).json<{ items: { eventCount: number; outcome: string }[] }>();
    expect(calls.items.reduce((sum, call) => sum + call.eventCount, 0)).toBe(2);
    expect(calls.items.map((call) => call.outcome).sort()).toEqual(['unknown', 'voicemail']);
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
    await close();
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(path.join(dir, `telehook-calls.db${suffix}`), { force: true });

    await open();
    const after = (await api('/api/calls')).json<{ items: unknown[] }>().items;
    expect(after).toEqual(before);
  });
});
