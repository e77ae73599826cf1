import path from 'node:path';

import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

import { createCallFold } from '../../src/calls/index.js';
import type { Store } from '../../src/store/index.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { callsFileOf, createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { callFlows } from '../helpers/call-flows.js';
import { testSchema } from '../helpers/pg-schema.js';
import { tempDir } from '../helpers/temp-dir.js';
import { newEvent } from './contract.js';

/**
 * Calls migrations SQLite 0102 and PostgreSQL 0106 add the `backfilled` column that the call list's `source=`
 * filter reads: calls folded before them, recovered from TeleCMI's history, must be found by the filter after the
 * upgrade as they were before it (when the filter read the record's closedBy).
 */
const T0 = Date.UTC(2026, 10, 20, 9);
const MIGRATION = { sqlite: '0102_calls_backfilled.sql', postgres: '0106_calls_backfilled.sql' };
const rules = createCallFold({ staleAfterMs: 2 * 3600_000 });
const [webhook, backfill] = [0, 4].map((n) => callFlows(T0 + n * 600_000, `4422200000${n}`)[0]!);

async function fillAndFold(store: Store): Promise<void> {
  for (const payload of backfill!.payloads)
    await store.appendEvent({ ...newEvent(JSON.stringify(payload)), source: 'backfill' });
  for (const payload of webhook!.payloads) await store.appendEvent(newEvent(JSON.stringify(payload)));
  for (;;) {
    const events = await store.listEventsToProject(100);
    if (events.length === 0) return;
    await store.projectCalls({ events, now: T0 + 3600_000 }, rules);
  }
}

async function sources(store: Store): Promise<Record<string, unknown[]>> {
  const keys = async (source: 'backfill' | 'webhook') =>
    (await store.listCalls({ limit: 100, source, from: T0 - 3600_000 })).items.map((call) => call.key);
  return { backfill: await keys('backfill'), webhook: await keys('webhook') };
}

const expected = { backfill: [backfill!.expected['key']], webhook: [webhook!.expected['key']] };

describe('the calls recovered from backfill, after the upgrade that gave them a column', () => {
  it('SQLite: are found by source=backfill, and a record that is not JSON does not stop the migration', async () => {
    const file = path.join(tempDir(), 'telehook.db');
    const store = createSqliteStore({ file, foldThread: false });
    await fillAndFold(store);
    expect(await sources(store)).toEqual(expected);
    await store.close();

    // Back to the schema before the migration, with the rows it found there.
    const calls = new Database(callsFileOf(file));
    calls.exec('DROP INDEX calls_backfilled; ALTER TABLE calls DROP COLUMN backfilled');
    calls.prepare('DELETE FROM schema_migrations WHERE name = ?').run(MIGRATION.sqlite);
    calls
      .prepare(
        `INSERT INTO calls (key, started_at, state, last_event_at, leg_only, record)
         VALUES ('unreadable', 0, 'ended', 0, 0, '{"closedBy":"backfill"')`,
      )
      .run();
    calls.close();

    const upgraded = createSqliteStore({ file, foldThread: false });
    try {
      expect(await sources(upgraded)).toEqual(expected);
      const db = new Database(callsFileOf(file), { readonly: true });
      expect(db.prepare("SELECT backfilled FROM calls WHERE key = 'unreadable'").pluck().get()).toBe(0);
      db.close();
    } finally {
      await upgraded.close();
    }
  });

  it('PostgreSQL: are found by source=backfill', async () => {
    const { url } = testSchema('calls backfilled upgrade');
    const store = await createPostgresStore({ url, poolSize: 2 });
    await fillAndFold(store);
    expect(await sources(store)).toEqual(expected);
    await store.close();

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('ALTER TABLE calls DROP COLUMN backfilled');
      await client.query('DELETE FROM schema_migrations WHERE name = $1', [MIGRATION.postgres]);
    } finally {
      await client.end();
    }

    const upgraded = await createPostgresStore({ url, poolSize: 2 });
    try {
      expect(await sources(upgraded)).toEqual(expected);
    } finally {
      await upgraded.close();
    }
  });
});
