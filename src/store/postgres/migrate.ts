import type { Pool, PoolClient } from 'pg';

import { type MigrationSet, readMigrationSet } from '../migration-files.js';
import { postgresDialect } from '../sql/dialect.js';
import { migrationSteps, recordMigration } from '../sql/migrations.js';
import { postgresExecutor, run, runAsync } from '../sql/program.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** The migrations shipped with this version. */
export function loadMigrations(dir: URL = MIGRATIONS_DIR): MigrationSet {
  return readMigrationSet(dir);
}

/**
 * The schema telehook works in: the first of the connection's `search_path` (set it in the URL with
 * `?options=-c%20search_path%3Dname`), and whether it exists yet (migrate creates it).
 */
export async function schemaOf(client: PoolClient): Promise<{ name: string; exists: boolean }> {
  const current = (await client.query<{ schema: string | null }>('SELECT current_schema() AS schema')).rows[0]
    ?.schema;
  if (current) return { name: current, exists: true };
  const path = (await client.query<{ path: string }>("SELECT current_setting('search_path') AS path"))
    .rows[0]!.path;
  const first = path
    .split(',')
    .map((part) => part.trim().replace(/^"(.*)"$/, '$1'))
    .find((part) => part !== '' && part !== '$user');
  if (!first) throw new Error('The PostgreSQL search_path names no schema to create the tables in.');
  return { name: first, exists: false };
}

/**
 * Brings the schema to this version's (src/store/migration-plan.ts: the baseline on a new schema, the remaining
 * legacy files and then the baseline on one of a version before it), each step in its own transaction, and returns
 * the names of the migrations applied or adopted. Creates the schema when missing. A session advisory lock (one per schema) makes processes that start together migrate once: the others wait,
 * then find nothing left to do. Refuses a schema migrated by a newer telehook.
 */
export async function migrate(pool: Pool, set: MigrationSet = loadMigrations()): Promise<string[]> {
  const client = await pool.connect();
  try {
    const { name: schema, exists } = await schemaOf(client);
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`${schema}:telehook:migrate`]);
    try {
      // Under the lock: processes that start together on a new schema create it once.
      if (!exists) await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
      const execute = postgresExecutor(client);
      const done: string[] = [];
      for (const { action, migration } of await runAsync(execute, migrationSteps(postgresDialect, set))) {
        await client.query('BEGIN');
        try {
          // Adopting the baseline runs nothing: the legacy files before it have made the same schema.
          if (action === 'apply') await client.query(migration.sql);
          await runAsync(execute, run(recordMigration(migration, Date.now())));
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
        done.push(migration.name);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`${schema}:telehook:migrate`]);
    }
  } finally {
    client.release();
  }
}
