import type { Migration, MigrationSet } from './migration-files.js';

/**
 * The version of each kind's baseline (`0100_baseline.sql`): the migrations of the versions before the first release
 * squashed into one file. Those versions' files keep their numbers below it, in `legacy/`.
 */
export const BASELINE_VERSION = 100;

/**
 * One step of a migration: `apply` runs the file's SQL; `adopt` records the baseline as applied without running it,
 * because the legacy files before it have brought the database to the same schema.
 */
export interface MigrationStep {
  readonly action: 'apply' | 'adopt';
  readonly migration: Migration;
}

/**
 * What to do with a database that has seen the migrations `applied` (the versions in its schema_migrations):
 * - nothing applied (a new database): the baseline, then every later migration;
 * - the baseline applied: the later migrations it has not seen;
 * - only legacy versions applied (a database of a version before the first release): the legacy files it has not
 *   seen, in order, then `adopt` the baseline, then every later migration.
 * Refuses a database migrated by a newer telehook, or one that lists a version this one never shipped.
 */
export function planMigrations(applied: ReadonlySet<number>, set: MigrationSet): MigrationStep[] {
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...set.migrations.map((migration) => migration.version));
  if (newest > known) {
    throw new Error(
      `The database was migrated by a newer telehook (schema ${newest}; this version knows ${known}).`,
    );
  }
  const baseline = set.migrations.find((migration) => migration.version === BASELINE_VERSION);
  if (!baseline || set.migrations[0] !== baseline) {
    throw new Error(`The migrations must begin with the baseline, version ${BASELINE_VERSION}.`);
  }
  const later = (): MigrationStep[] =>
    set.migrations
      .filter((migration) => migration !== baseline && !applied.has(migration.version))
      .map((migration) => ({ action: 'apply', migration }));
  if (applied.size === 0) return [{ action: 'apply', migration: baseline }, ...later()];
  if (applied.has(BASELINE_VERSION)) return later();

  const legacyVersions = new Set(set.legacy.map((migration) => migration.version));
  const unknown = [...applied].filter((version) => !legacyVersions.has(version)).sort((a, b) => a - b);
  if (unknown.length > 0) {
    throw new Error(
      `The database lists migrations that no version of telehook before its baseline shipped (${unknown.join(', ')}), ` +
        'so this version does not know its schema and cannot upgrade it.',
    );
  }
  return [
    ...set.legacy
      .filter((migration) => !applied.has(migration.version))
      .map((migration): MigrationStep => ({ action: 'apply', migration })),
    { action: 'adopt', migration: baseline },
    ...later(),
  ];
}
