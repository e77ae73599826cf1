import path from 'node:path';

import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { storedDedupeKey } from '../../src/store/sqlite/dedupe-key.js';
import { callsFileOf, createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startSetup } from '../helpers/app-setups.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { applyLegacyPostgres, applyLegacySqlite, legacySchemaStates } from '../helpers/legacy-schemas.js';
import { testSchema } from '../helpers/pg-schema.js';
import { waitingEvent } from '../helpers/poison.js';
import { tempDir } from '../helpers/temp-dir.js';
import { newEvent } from './contract.js';

/**
 * Every schema a version before the baseline could have left (test/fixtures/upgrade/schemas.json, from git history)
 * is upgraded by this version: it ends in the same schema as a new database, keeps its events (their resends are
 * still recognised), and serves and folds as a new one does.
 */
const states = legacySchemaStates();
const fixtures = loadFixtures().slice(0, 6);

/** What a SQLite file's schema is, independent of the text it was created with (comments, ALTER TABLE edits). */
function sqliteSchema(file: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string; sql: string }[];
    const indexSql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").pluck();
    return tables.map(({ name, sql }) => ({
      name,
      withoutRowid: /WITHOUT ROWID/i.test(sql),
      autoincrement: /AUTOINCREMENT/i.test(sql),
      columns: db.pragma(`table_xinfo(${name})`),
      foreignKeys: db.pragma(`foreign_key_list(${name})`),
      indexes: (db.pragma(`index_list(${name})`) as { name: string }[])
        .map(({ name: index, ...rest }) => ({
          index,
          ...rest,
          seq: undefined,
          columns: db.pragma(`index_xinfo(${index})`),
          sql: (indexSql.get(index) as string | null)?.replace(/\s+/g, ' ') ?? null,
        }))
        .sort((a, b) => a.index.localeCompare(b.index)),
    }));
  } finally {
    db.close();
  }
}

async function postgresSchema(client: pg.Client): Promise<unknown> {
  const schema = (await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
  const columns = await client.query(
    `SELECT table_name, column_name, ordinal_position, data_type, is_nullable,
    column_default, collation_name, is_identity FROM information_schema.columns WHERE table_schema = $1
    ORDER BY table_name, ordinal_position`,
    [schema],
  );
  const indexes = await client.query(
    'SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname',
    [schema],
  );
  const constraints = await client.query(
    `SELECT conrelid::regclass::text AS rel, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE connamespace = $1::regnamespace ORDER BY conname`,
    [schema],
  );
  return JSON.parse(
    JSON.stringify({
      columns: columns.rows,
      indexes: indexes.rows,
      constraints: constraints.rows,
    }).replaceAll(schema, '<schema>'),
  ) as unknown;
}

describe('upgrading every older SQLite data folder', () => {
  it('has states to test, the one before 0001_init.sql was edited among them', () => {
    expect(states.sqlite.length).toBeGreaterThan(10);
    expect(states.sqlite.some((state) => /\bevent\s+TEXT\s+NOT NULL/.test(state.events[0]!.sql))).toBe(true);
  });

  it.each(states.sqlite.map((state) => [state.name, state] as const))(
    '%s: same schema as a new folder, events kept, serves and folds',
    async (_name, state) => {
      const dir = tempDir();
      const file = path.join(dir, 'telehook.db');
      const legacy = new Database(file);
      applyLegacySqlite(legacy, state.events);
      const columns = (legacy.pragma('table_info(events)') as { name: string }[]).map(
        (column) => column.name,
      );
      const withTimeKeys = state.events.some((migration) => migration.version === 9);
      const stored = fixtures.map((fixture) => newEvent(fixture.bytes));
      const insert = legacy.prepare(
        `INSERT INTO events (id, received_at, dedupe_key, method, content_type, kind, product, status, call_key,
          occurred_at, raw${columns.includes('event') ? ', event' : ''})
         VALUES (?, ?, ?, 'POST', 'application/json', ?, ?, ?, ?, ?, ?${columns.includes('event') ? ", '{}'" : ''})`,
      );
      for (const { event, dedupeKey, body } of stored) {
        const key = withTimeKeys ? storedDedupeKey(dedupeKey, event) : Buffer.from(dedupeKey, 'hex');
        insert.run(
          event.id,
          event.receivedAt,
          key,
          event.kind,
          event.product,
          event.status,
          event.callKey,
          event.occurredAt,
          body,
        );
      }
      legacy.close();
      if (state.calls) {
        const calls = new Database(callsFileOf(file));
        applyLegacySqlite(calls, state.calls);
        calls.close();
      }

      const store = createSqliteStore({ file });
      try {
        for (const [n, fixture] of fixtures.entries())
          expect(await store.appendEvent(newEvent(fixture.bytes))).toEqual({
            id: stored[n]!.event.id,
            duplicate: true,
          });
        const fresh = newEvent(loadFixtures()[6]!.bytes);
        expect(await store.appendEvent(fresh)).toEqual({ id: fresh.event.id, duplicate: false });
        expect(await store.countEvents()).toBe(fixtures.length + 1);
      } finally {
        await store.close();
      }

      const newDir = tempDir();
      await createSqliteStore({ file: path.join(newDir, 'telehook.db') }).close();
      expect(sqliteSchema(file)).toEqual(sqliteSchema(path.join(newDir, 'telehook.db')));
      expect(sqliteSchema(callsFileOf(file))).toEqual(
        sqliteSchema(callsFileOf(path.join(newDir, 'telehook.db'))),
      );

      const setup = await startSetup('sqlite', 'upgraded', dir);
      const key = 'upgraded-6666-4666-8666-666666666666';
      expect((await setup.post(waitingEvent(key))).statusCode).toBe(200);
      const call = await setup.api(`/api/calls/${key}`);
      expect(call.statusCode, call.body).toBe(200);
      expect((await setup.api('/api/events?limit=100')).json<{ items: unknown[] }>().items).toHaveLength(
        fixtures.length + 2,
      );
    },
  );
});

describe('upgrading every older PostgreSQL schema', () => {
  it.each(states.postgres.map((state) => [state.name, state] as const))(
    '%s: same schema as a new one, serves and folds',
    async (_name, state) => {
      const { url } = testSchema(`upgrade ${state.name}`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const schema = (await client.query<{ s: string }>("SELECT current_setting('search_path') AS s"))
          .rows[0]!.s;
        await client.query(`CREATE SCHEMA ${schema}`);
        await applyLegacyPostgres(client, state.migrations);
        const stored = newEvent(fixtures[0]!.bytes);
        const store = await createPostgresStore({ url, poolSize: 2 });
        try {
          expect(await store.appendEvent(stored)).toEqual({ id: stored.event.id, duplicate: false });
        } finally {
          await store.close();
        }
        const upgraded = await postgresSchema(client);
        const fresh = testSchema(`fresh for ${state.name}`);
        await (await createPostgresStore({ url: fresh.url, poolSize: 1 })).close();
        const freshClient = new pg.Client({ connectionString: fresh.url });
        await freshClient.connect();
        try {
          expect(upgraded).toEqual(await postgresSchema(freshClient));
        } finally {
          await freshClient.end();
        }
      } finally {
        await client.end();
      }
      const setup = await startSetup('postgres', 'unused', url);
      const key = 'upgraded-7777-4777-8777-777777777777';
      expect((await setup.post(waitingEvent(key))).statusCode).toBe(200);
      const call = await setup.api(`/api/calls/${key}`);
      expect(call.statusCode, call.body).toBe(200);
    },
  );
});
