import { mkdirSync } from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import pg from 'pg';

import { type Config, loadConfig } from '../../config.js';
import { SQLITE_FILE } from '../../open-app.js';
import { redactUrl } from '../../redact.js';
import type { MigrationSet } from '../../store/migration-files.js';
import { migrate as migratePostgres } from '../../store/postgres/migrate.js';
import { connectionConfig } from '../../store/postgres/postgres-store.js';
import {
  CALLS_MIGRATIONS_DIR,
  loadMigrations,
  migrate as migrateSqlite,
} from '../../store/sqlite/migrate.js';
import { callsFileOf } from '../../store/sqlite/sqlite-store.js';
import { configSourcesFrom } from '../config-options.js';

const SETTINGS_USED: (keyof Config)[] = ['dataDir', 'databaseUrl'];

/**
 * `telehook migrate`: applies the schema migrations this version ships to the configured database (PostgreSQL
 * when TELEHOOK_DATABASE_URL is set, else SQLite in the data directory) and prints what it applied. Servers
 * migrate when they start too; this runs it ahead of a deploy. Safe to run from several places at once: on
 * PostgreSQL an advisory lock makes them migrate once.
 */
export async function runMigrate(
  flags: Record<string, unknown>,
  out: NodeJS.WritableStream = process.stdout,
): Promise<string[]> {
  const config = loadConfig(configSourcesFrom(flags, SETTINGS_USED));
  let applied: string[];
  let description: string;
  if (config.databaseUrl !== null) {
    const pool = new pg.Pool({ ...connectionConfig(config.databaseUrl), max: 1 });
    try {
      applied = await migratePostgres(pool);
    } finally {
      await pool.end();
    }
    description = `PostgreSQL ${redactUrl(config.databaseUrl)}`;
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    const file = path.join(config.dataDir, SQLITE_FILE);
    const migrateFile = (name: string, set?: MigrationSet): string[] => {
      const db = new Database(name);
      try {
        db.pragma('journal_mode = WAL');
        return migrateSqlite(db, set);
      } finally {
        db.close();
      }
    };
    applied = migrateFile(file);
    // The calls' own file (derived data): its migrations are listed after the events', named as the calls'.
    applied.push(
      ...migrateFile(callsFileOf(file), loadMigrations(CALLS_MIGRATIONS_DIR)).map((name) => `calls ${name}`),
    );
    description = `SQLite ${file}`;
  }
  out.write(
    applied.length === 0
      ? `${description}: up to date, no migration to apply.\n`
      : `${description}: applied ${applied.join(', ')}.\n`,
  );
  return applied;
}
