import { readdirSync, readFileSync } from 'node:fs';

/** A migration file: `NNNN_description.sql`, applied once, in order, never edited after release. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The migration files of a directory (each adapter has its own), in order. */
export function readMigrations(dir: URL): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file,
      sql: readFileSync(new URL(file, dir), 'utf8'),
    }));
}
