import { readFileSync } from 'node:fs';

import type { Database } from 'better-sqlite3';
import type pg from 'pg';

import type { Migration } from '../../src/store/migration-files.js';
import { loadMigrations as loadPostgresMigrations } from '../../src/store/postgres/migrate.js';
import { CALLS_MIGRATIONS_DIR, loadMigrations } from '../../src/store/sqlite/migrate.js';

/**
 * Databases as the versions before the first release left them, for upgrade tests: each older schema is made by
 * running that version's own migration files, in the order it ran them, and recording them in schema_migrations as
 * its runner did (the table's shape never changed).
 */

export type LegacyKind = 'sqlite-events' | 'sqlite-calls' | 'postgres';

/** The legacy files this version ships (each kind's `legacy/` folder), the last of them at most `upTo`. */
export function legacyMigrations(kind: LegacyKind, upTo = Infinity): Migration[] {
  const set =
    kind === 'postgres'
      ? loadPostgresMigrations()
      : loadMigrations(kind === 'sqlite-calls' ? CALLS_MIGRATIONS_DIR : undefined);
  return set.legacy.filter((migration) => migration.version <= upTo);
}

const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`;
const POSTGRES_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`;

/** Runs `migrations` on a SQLite database as a version before the baseline did (SQL only: on an empty schema its steps had nothing to do). */
export function applyLegacySqlite(
  db: Database,
  migrations: readonly Pick<Migration, 'version' | 'name' | 'sql'>[],
): void {
  db.exec(SQLITE_MIGRATIONS_TABLE);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    })();
  }
}

/** Runs `migrations` on a PostgreSQL schema (the client's search_path) as a version before the baseline did. */
export async function applyLegacyPostgres(
  client: pg.Client,
  migrations: readonly Pick<Migration, 'version' | 'name' | 'sql'>[],
): Promise<void> {
  await client.query(POSTGRES_MIGRATIONS_TABLE);
  for (const migration of migrations) {
    await client.query('BEGIN');
    await client.query(migration.sql);
    await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
      migration.version,
      migration.name,
      Date.now(),
    ]);
    await client.query('COMMIT');
  }
}

/**
 * Makes a SQLite database of this version say it was migrated by a version before the baseline, up to legacy
 * `upTo`: its schema_migrations lists those legacy files instead of the baseline. The caller changes the schema to
 * match.
 */
export function recordAsLegacySqlite(
  db: Database,
  kind: 'sqlite-events' | 'sqlite-calls',
  upTo: number,
): void {
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)');
  db.transaction(() => {
    db.exec('DELETE FROM schema_migrations');
    for (const migration of legacyMigrations(kind, upTo)) record.run(migration.version, migration.name);
  })();
}

/** The same for a PostgreSQL schema (the client's search_path). */
export async function recordAsLegacyPostgres(client: pg.Client, upTo: number): Promise<void> {
  await client.query('DELETE FROM schema_migrations');
  for (const migration of legacyMigrations('postgres', upTo)) {
    await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 0)', [
      migration.version,
      migration.name,
    ]);
  }
}

/** One migration of a state in test/fixtures/upgrade/schemas.json: the file as that version shipped it. */
interface StateFile {
  readonly version: number;
  readonly name: string;
  readonly blob: string;
}

interface SchemasFile {
  readonly sqlite: { name: string; events: StateFile[]; calls: StateFile[] | null }[];
  readonly postgres: { name: string; migrations: StateFile[] }[];
  readonly files: Record<string, string>;
}

export type LegacyMigration = Pick<Migration, 'version' | 'name' | 'sql'>;

/**
 * Every schema state a version before the baseline could have left (test/fixtures/upgrade/make-schemas.mjs builds
 * them from git history): a SQLite data folder's two files (no calls file before 2026-11-26), and a PostgreSQL
 * schema, each as the migrations that version ran, in order.
 */
export function legacySchemaStates(): {
  sqlite: { name: string; events: LegacyMigration[]; calls: LegacyMigration[] | null }[];
  postgres: { name: string; migrations: LegacyMigration[] }[];
} {
  const schemas = JSON.parse(
    readFileSync(new URL('../fixtures/upgrade/schemas.json', import.meta.url), 'utf8'),
  ) as SchemasFile;
  const withSql = (files: StateFile[]): LegacyMigration[] =>
    files.map(({ version, name, blob }) => ({ version, name, sql: schemas.files[blob]! }));
  return {
    sqlite: schemas.sqlite.map((state) => ({
      name: state.name,
      events: withSql(state.events),
      calls: state.calls === null ? null : withSql(state.calls),
    })),
    postgres: schemas.postgres.map((state) => ({ name: state.name, migrations: withSql(state.migrations) })),
  };
}
