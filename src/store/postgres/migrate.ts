import type { Pool, PoolClient } from 'pg';

import { type Migration, readMigrations } from '../migration-files.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

export type { Migration };

/** The migrations shipped with this version, in order. */
export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  return readMigrations(dir);
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
 * Applies the migrations the database has not seen, each in its own transaction, and returns their names.
 * Creates the schema when missing. A session advisory lock (one per schema) makes processes that start together migrate once: the others wait,
 * then find nothing left to do. Refuses a schema migrated by a newer telehook.
 */
export async function migrate(pool: Pool, migrations: Migration[] = loadMigrations()): Promise<string[]> {
  const client = await pool.connect();
  try {
    const { name: schema, exists } = await schemaOf(client);
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`${schema}:telehook:migrate`]);
    try {
      // Under the lock: processes that start together on a new schema create it once.
      if (!exists) await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
      const applied = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
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
      const done: string[] = [];
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
            [migration.version, migration.name, Date.now()],
          );
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
