import BetterSqlite, { type Database } from 'better-sqlite3';

import { type MigrationSet, readMigrationSet } from '../migration-files.js';
import { sqliteDialect } from '../sql/dialect.js';
import { migrationSteps, recordMigration } from '../sql/migrations.js';
import { run, runSync, sqliteExecutor } from '../sql/program.js';
import { type EventRow, toEvent } from '../stored-event.js';
import { dedupeTimeOf, keyWithTime } from './dedupe-key.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
/** The calls' own database file (see calls-migrations/0100_baseline.sql). */
export const CALLS_MIGRATIONS_DIR = new URL('./calls-migrations/', import.meta.url);

/**
 * Steps that SQL cannot express, run after a legacy migration's SQL in its transaction, by file name. The dedupe
 * keys' new prefix is the payload's time, which only the normaliser reads from the stored bytes.
 */
const STEPS: Readonly<Record<string, (db: Database) => void>> = {
  '0009_dedupe_key_time_prefix.sql': (db) => {
    const page = db.prepare(
      // The columns as of this migration: `source` and `rest_source` came later (0101_reconcile.sql), when every event was a webhook.
      `SELECT seq, id, received_at, method, content_type, raw, 'webhook' AS source, NULL AS rest_source, dedupe_key
       FROM events WHERE seq > ? ORDER BY seq LIMIT 5000`,
    );
    const update = db.prepare('UPDATE events SET dedupe_key = ? WHERE seq = ?');
    // Page by page, each read before it is updated: a scan does not promise what it sees of rows changed under it.
    for (let after = 0; ;) {
      const rows = page.all(after) as (EventRow & { dedupe_key: Buffer })[];
      for (const row of rows) update.run(keyWithTime(dedupeTimeOf(toEvent(row)), row.dedupe_key), row.seq);
      const last = rows.at(-1);
      if (!last) break;
      after = last.seq;
    }
  },
};

/**
 * Run when a database of a version before the baseline adopts it. legacy/0001_init.sql was edited after versions of
 * 2026-11-25 had applied it: the events' files they created keep a column `event` (NOT NULL) that no insert since
 * fills, so that every insert fails there. The event is derived from `raw`, so the column goes.
 */
function repairBeforeBaseline(db: Database): void {
  const stale = db
    .prepare("SELECT 1 FROM pragma_table_info('events', 'main') WHERE name = 'event'")
    .pluck()
    .get();
  if (stale !== undefined) db.exec('ALTER TABLE main.events DROP COLUMN event');
}

/** The migrations shipped with this version: the events' by default, or those of `dir`. */
export function loadMigrations(dir: URL = MIGRATIONS_DIR): MigrationSet {
  return readMigrationSet(dir);
}

/**
 * Brings the database to this version's schema (src/store/migration-plan.ts: the baseline on a new database, the
 * remaining legacy files and then the baseline on one of a version before it), each step in its own transaction,
 * and returns the names of the migrations applied or adopted. Refuses a database migrated by a newer telehook.
 */
export function migrate(db: Database, set: MigrationSet = loadMigrations()): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const execute = sqliteExecutor(db);
  const done: string[] = [];
  for (const { action, migration } of runSync(execute, migrationSteps(sqliteDialect, set))) {
    db.transaction(() => {
      if (action === 'apply') {
        db.exec(migration.sql);
        STEPS[migration.name]?.(db);
      } else {
        repairBeforeBaseline(db);
      }
      runSync(execute, run(recordMigration(migration, Date.now())));
    })();
    done.push(migration.name);
  }
  return done;
}

/**
 * The migrations a SQLite database file still needs, read without writing anything (`telehook doctor`): the
 * file is opened read-only. Throws, as a start would, for a database migrated by a newer telehook.
 */
export function pendingSqliteMigrations(file: string, set: MigrationSet = loadMigrations()): string[] {
  const db = new BetterSqlite(file, { readonly: true, fileMustExist: true });
  try {
    return runSync(sqliteExecutor(db), migrationSteps(sqliteDialect, set)).map((step) => step.migration.name);
  } finally {
    db.close();
  }
}
