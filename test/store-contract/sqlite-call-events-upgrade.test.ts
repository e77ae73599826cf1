import { rmSync } from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { createCallFold } from '../../src/calls/index.js';
import type { Store } from '../../src/store/index.js';
import { callsFileOf, createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { callFlows } from '../helpers/call-flows.js';
import {
  applyLegacySqlite,
  legacyMigrations,
  recordAsLegacySqlite,
  rewindToBaselineSqlite,
} from '../helpers/legacy-schemas.js';
import { tempDir } from '../helpers/temp-dir.js';
import { newEvent } from './contract.js';

const rules = createCallFold({ staleAfterMs: 2 * 3600_000 });

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
        `SELECT seq FROM events WHERE call_key IN (SELECT identifier FROM calls_file.call_links
          WHERE call_id = (SELECT id FROM calls_file.calls WHERE key = ?)) ORDER BY seq`,
      )
      .pluck();
    return Object.fromEntries(keys.map((key) => [key, (query.all(key) as number[]).map(String)]));
  } finally {
    db.close();
  }
}

describe('SQLite: the events of a call through its links (legacy events migration 0010, calls migrations 0002 and 0003)', () => {
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

    // Back to the previous schemas: the events' call-key index (legacy events schema 0009), and a calls file of
    // legacy schema 0001 (calls by key, links without seqs) that has folded every event.
    const events = new Database(file);
    // Nor what came after the baseline.
    rewindToBaselineSqlite(events, 'sqlite-events');
    events.exec('CREATE INDEX events_call_key ON events (call_key)');
    recordAsLegacySqlite(events, 'sqlite-events', 9);
    const lastSeq = events.prepare('SELECT max(seq) FROM events').pluck().get() as number;
    events.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(callsFileOf(file) + suffix, { force: true });
    const calls = new Database(callsFileOf(file));
    applyLegacySqlite(calls, legacyMigrations('sqlite-calls', 1));
    const [key, events0] = Object.entries(expected)[0]!;
    calls.prepare("INSERT INTO projection_state (name, position) VALUES ('calls', ?)").run(lastSeq);
    calls
      .prepare(
        `INSERT INTO calls (key, started_at, state, last_event_at, leg_only, record) VALUES (?, 0, 'ended', 0, 0, '{}')`,
      )
      .run(key);
    calls.prepare('INSERT INTO call_links (identifier, rank, call_key) VALUES (?, 0, ?)').run(key, key);
    calls.close();
    expect(events0.length).toBeGreaterThan(0);

    const upgraded = createSqliteStore({ file });
    try {
      // The calls were forgotten with the old tables, and are folded again from the events.
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
