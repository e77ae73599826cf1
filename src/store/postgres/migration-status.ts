import pg from 'pg';

import { postgresDialect } from '../sql/dialect.js';
import { migrationSteps } from '../sql/migrations.js';
import { postgresExecutor, runAsync } from '../sql/program.js';
import { loadMigrations } from './migrate.js';
import { connectionConfig } from './postgres-store.js';

/**
 * The migrations a PostgreSQL schema still needs, read without writing anything (`telehook doctor`). Throws when
 * the server cannot be reached, and, as a start would, for a schema migrated by a newer telehook.
 */
export async function pendingPostgresMigrations(url: string): Promise<string[]> {
  const pool = new pg.Pool({ ...connectionConfig(url), max: 1, connectionTimeoutMillis: 10_000 });
  try {
    const steps = await runAsync(postgresExecutor(pool), migrationSteps(postgresDialect, loadMigrations()));
    return steps.map((step) => step.migration.name);
  } finally {
    await pool.end();
  }
}
