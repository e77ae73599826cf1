import path from 'node:path';

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { createCallRules } from '../../src/calls/index.js';
import type { Store } from '../../src/store/index.js';
import { callsFileOf, createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { callFlows } from '../helpers/call-flows.js';
import { tempDir } from '../helpers/temp-dir.js';
import { newEvent } from './contract.js';

const rules = createCallRules({ staleAfterMs: 2 * 3600_000 });

async function foldAll(store: Store): Promise<void> {
  for (;;) {
    const events = await store.listEventsToProject(100);
    if (events.length === 0) return;
    await store.projectCalls({ events, now: Date.now() }, rules);
  }
}

/** Every call with the cursors of its events, as the store answers them. */
async function callsWithEvents(store: Store): Promise<Record<string, string[]>> {
  const { items } = await store.listCalls({ limit: 100 });
  const entries = await Promise.all(
    items.map(async (call) => [
      call.key,
      (await store.listCallEvents(call.key)).map((event) => event.cursor),
    ]),
  );
  return Object.fromEntries(entries) as Record<string, string[]>;
}

/** The events of each call as the previous schema found them: by their call key among the call's ids. */
function byCallKeyColumn(file: string, keys: string[]): Record<string, string[]> {
  const db = new Database(file, { readonly: true });
  try {
    db.prepare('ATTACH DATABASE ? AS calls_file').run(callsFileOf(file));
    const query = db
      .prepare(
        `SELECT seq FROM events WHERE call_key IN
          (SELECT identifier FROM calls_file.call_links WHERE call_key = ?) ORDER BY seq`,
      )
      .pluck();
    return Object.fromEntries(keys.map((key) => [key, (query.all(key) as number[]).map(String)]));
  } finally {
    db.close();
  }
}

describe('SQLite: the events of a call through its links (events migration 0010, calls migration 0002)', () => {
  it('finds the same events of every call as before the upgrade, after folding the calls again', async () => {
    const file = path.join(tempDir(), 'telehook.db');
    const store = createSqliteStore({ file });
    for (const flow of callFlows(Date.UTC(2026, 10, 20, 9))) {
      for (const payload of flow.payloads) await store.appendEvent(newEvent(JSON.stringify(payload)));
    }
    await foldAll(store);
    const expected = await callsWithEvents(store);
    expect(Object.keys(expected).length).toBeGreaterThan(5);
    expect(Object.values(expected).every((cursors) => cursors.length > 0)).toBe(true);
    await store.close();
    expect(expected).toEqual(byCallKeyColumn(file, Object.keys(expected)));

    // Back to the previous schema: the events' call-key index, links without seqs, and calls folded by it.
    const events = new Database(file);
    events.exec(
      'CREATE INDEX events_call_key ON events (call_key); DELETE FROM schema_migrations WHERE version = 10',
    );
    events.close();
    const calls = new Database(callsFileOf(file));
    calls.exec(
      'ALTER TABLE call_links DROP COLUMN event_seqs; DELETE FROM schema_migrations WHERE version = 2',
    );
    calls.close();

    const upgraded = createSqliteStore({ file });
    try {
      // The calls were forgotten with the old links, and are folded again from the events.
      expect(await upgraded.countEventsToProject()).toBe(await upgraded.countEvents());
      await foldAll(upgraded);
      expect(await callsWithEvents(upgraded)).toEqual(expected);
      const indexes = new Database(file, { readonly: true })
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
        .pluck()
        .all();
      expect(indexes).not.toContain('events_call_key');
    } finally {
      await upgraded.close();
    }
  });
});
