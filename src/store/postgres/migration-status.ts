import pg from 'pg';

import { planMigrations } from '../migration-plan.js';
import { loadMigrations, schemaOf } from './migrate.js';
import { connectionConfig } from './postgres-store.js';

/**
 * The migrations a PostgreSQL schema still needs, read without writing anything (`telehook doctor`). Throws when
 * the server cannot be reached, and, as a start would, for a schema migrated by a newer telehook.
 */
export async function pendingPostgresMigrations(url: string): Promise<string[]> {
  const pool = new pg.Pool({ ...connectionConfig(url), max: 1, connectionTimeoutMillis: 10_000 });
  try {
    const client = await pool.connect();
    try {
      const { exists } = await schemaOf(client);
      const hasTable =
        exists &&
        (
          await client.query(
            "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'",
          )
        ).rowCount !== 0;
      const applied = new Set(
        hasTable
          ? (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
              (row) => row.version,
            )
          : [],
      );
      return planMigrations(applied, loadMigrations()).map((step) => step.migration.name);
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}
