import sql from 'sql-template-tag';

import type { Migration, MigrationSet } from '../migration-files.js';
import { type MigrationStep, planMigrations } from '../migration-plan.js';
import type { Dialect } from './dialect.js';
import { all, type Program, type Query } from './program.js';

/**
 * What a database still needs of `set` (src/store/migration-plan.ts), read from its schema_migrations: nothing is
 * written, so that `telehook doctor` can ask too. Throws, as a start would, for a database migrated by a newer
 * telehook.
 */
export function* migrationSteps(dialect: Dialect, set: MigrationSet): Program<MigrationStep[]> {
  const hasTable = (yield* all(dialect.tableExists('schema_migrations'))).length > 0;
  const applied = hasTable
    ? (yield* all<{ version: number }>(sql`SELECT version FROM schema_migrations`)).map((row) => row.version)
    : [];
  return planMigrations(new Set(applied), set);
}

/** Notes a migration as applied (or adopted), in the transaction that applied it. */
export const recordMigration = (migration: Migration, at: number): Query =>
  sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${migration.version}, ${migration.name}, ${at})`;
