import type { Database } from 'better-sqlite3';

import { type Migration, readMigrations } from '../migration-files.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
/** The calls' own database file (see calls-migrations/0001_calls.sql). */
export const CALLS_MIGRATIONS_DIR = new URL('./calls-migrations/', import.meta.url);

export type { Migration };

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
      record.run(migration.version, migration.name, Date.now());
    })();
    done.push(migration.name);
  }
  return done;
}
