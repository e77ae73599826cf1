import { readFileSync } from 'node:fs';

import Sqlite, { type Database } from 'better-sqlite3';
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

/** The baseline migration (0100) of a kind: the schema every later migration starts from. */
function baselineSql(kind: LegacyKind): string {
  const set =
    kind === 'postgres'
      ? loadPostgresMigrations()
      : loadMigrations(kind === 'sqlite-calls' ? CALLS_MIGRATIONS_DIR : undefined);
  const baseline = set.migrations.find((migration) => migration.version === 100);
  if (!baseline) throw new Error(`no baseline migration for ${kind}`);
  return baseline.sql;
}

/**
 * Takes a SQLite database of this version back to the baseline's schema: drops every index, table and column that a
 * migration after the baseline added (found by comparing with the baseline applied to an empty database), so that
 * an upgrade test does not have to undo each later migration by hand. Data in the baseline's columns stays.
 */
export function rewindToBaselineSqlite(db: Database, kind: 'sqlite-events' | 'sqlite-calls'): void {
  const baseline = new Sqlite(':memory:');
  baseline.exec(baselineSql(kind));
  const objects = (of: Database, type: string): Set<string> =>
    new Set(
      of
        .prepare("SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%'")
        .pluck()
        .all(type) as string[],
    );
  const columns = (of: Database, table: string): string[] =>
    of.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[];
  const keep = {
    index: objects(baseline, 'index'),
    table: objects(baseline, 'table'),
    trigger: objects(baseline, 'trigger'),
  };
  keep.table.add('schema_migrations');
  for (const type of ['trigger', 'index'] as const)
    for (const name of objects(db, type))
      if (!keep[type].has(name)) db.exec(`DROP ${type.toUpperCase()} "${name}"`);
  for (const table of objects(db, 'table')) {
    if (table === 'schema_migrations') continue;
    if (!keep.table.has(table)) {
      db.exec(`DROP TABLE "${table}"`);
      continue;
    }
    const wanted = new Set(columns(baseline, table));
    for (const column of columns(db, table))
      if (!wanted.has(column)) db.exec(`ALTER TABLE "${table}" DROP COLUMN "${column}"`);
  }
  baseline.close();
}

/** The same for a PostgreSQL schema (the client's search_path is that schema): tables, columns and indexes. */
export async function rewindToBaselinePostgres(client: pg.Client): Promise<void> {
  const schema = (await client.query<{ name: string }>('SELECT current_schema() AS name')).rows[0]!.name;
  const scratch = `baseline_${Math.random().toString(36).slice(2, 10)}`;
  await client.query(`CREATE SCHEMA ${scratch}`);
  try {
    const path = (await client.query<{ search_path: string }>('SHOW search_path')).rows[0]!.search_path;
    await client.query(`SET search_path TO ${scratch}`);
    await client.query(baselineSql('postgres'));
    await client.query(`SET search_path TO ${path}`);
    const names = async (sql: string, of: string): Promise<Set<string>> =>
      new Set((await client.query<{ name: string }>(sql, [of])).rows.map((row) => row.name));
    const indexes = (of: string) =>
      names('SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1', of);
    const tables = (of: string) =>
      names(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
        of,
      );
    const columns = (of: string) =>
      names(
        "SELECT table_name || '.' || column_name AS name FROM information_schema.columns WHERE table_schema = $1",
        of,
      );
    const keepTables = await tables(scratch);
    keepTables.add('schema_migrations');
    const keepIndexes = await indexes(scratch);
    const keepColumns = await columns(scratch);
    for (const table of await tables(schema))
      if (!keepTables.has(table)) await client.query(`DROP TABLE "${schema}"."${table}" CASCADE`);
    for (const index of await indexes(schema))
      if (!keepIndexes.has(index) && !index.endsWith('_pkey') && !index.startsWith('schema_migrations'))
        await client.query(`DROP INDEX IF EXISTS "${schema}"."${index}" CASCADE`);
    for (const column of await columns(schema)) {
      const [table, name] = column.split('.') as [string, string];
      if (keepTables.has(table) && table !== 'schema_migrations' && !keepColumns.has(column))
        await client.query(`ALTER TABLE "${schema}"."${table}" DROP COLUMN "${name}" CASCADE`);
    }
  } finally {
    await client.query(`DROP SCHEMA ${scratch} CASCADE`);
  }
}
