import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** A migration file: `NNNN_description.sql`, applied once, in order, never edited after release. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The migrations of one database kind (each adapter has its own directory): those a new database gets (the baseline,
 * then any later), and the files of the versions before the baseline (`legacy/`), which bring a database those
 * versions migrated up to the baseline.
 */
export interface MigrationSet {
  readonly migrations: readonly Migration[];
  readonly legacy: readonly Migration[];
}

/** The migration files of a directory, in order. */
export function readMigrations(dir: URL): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file,
      sql: readFileSync(new URL(file, dir), 'utf8'),
    }));
}

/** The migrations of a directory and of its `legacy/` folder. */
export function readMigrationSet(dir: URL): MigrationSet {
  return { migrations: readMigrations(dir), legacy: readMigrations(new URL('legacy/', dir)) };
}
