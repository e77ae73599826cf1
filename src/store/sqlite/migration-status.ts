import Database from 'better-sqlite3';

import { planMigrations } from '../migration-plan.js';
import { loadMigrations, type MigrationSet } from './migrate.js';

/**
 * The migrations a SQLite database file still needs, read without writing anything (`telehook doctor`): the
 * file is opened read-only. Throws, as a start would, for a database migrated by a newer telehook.
 */
export function pendingSqliteMigrations(file: string, set: MigrationSet = loadMigrations()): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      .pluck()
      .get();
    const applied = new Set(
      hasTable === undefined
        ? []
        : (db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]),
    );
    return planMigrations(applied, set).map((step) => step.migration.name);
  } finally {
    db.close();
  }
}
