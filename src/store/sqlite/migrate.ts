import type { Database } from 'better-sqlite3';

import { type Migration, readMigrations } from '../migration-files.js';
import { EVENT_COLUMNS, type EventRow, toEvent } from '../stored-event.js';
import { dedupeTimeOf, keyWithTime } from './dedupe-key.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
/** The calls' own database file (see calls-migrations/0001_calls.sql). */
export const CALLS_MIGRATIONS_DIR = new URL('./calls-migrations/', import.meta.url);

export type { Migration };

/**
 * Steps that SQL cannot express, run after a migration's SQL in its transaction, by migration file name. The
 * dedupe keys' new prefix is the payload's time, which only the normaliser reads from the stored bytes.
 */
const STEPS: Readonly<Record<string, (db: Database) => void>> = {
  '0009_dedupe_key_time_prefix.sql': (db) => {
    const page = db.prepare(
      `SELECT ${EVENT_COLUMNS}, dedupe_key FROM events WHERE seq > ? ORDER BY seq LIMIT 5000`,
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

/** The migrations shipped with this version, in order. */
export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  return readMigrations(dir);
}

/**
 * Applies the migrations the database has not seen, each in its own transaction, and returns their names.
 * Refuses a database migrated by a newer telehook, whose schema this version does not know.
 */
export function migrate(db: Database, migrations: Migration[] = loadMigrations()): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (row) => row.version,
    ),
  );
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...migrations.map((migration) => migration.version));
  if (newest > known) {
    throw new Error(
      `The database was migrated by a newer telehook (schema ${newest}; this version knows ${known}).`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const done: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      STEPS[migration.name]?.(db);
      record.run(migration.version, migration.name, Date.now());
    })();
    done.push(migration.name);
  }
  return done;
}
