import { readdirSync, readFileSync } from 'node:fs';

/** The documented TeleCMI samples (test/fixtures/telecmi), copied from the team's research. */
export const FIXTURES_DIR = new URL('../fixtures/telecmi/', import.meta.url);

export interface Fixture {
  /** File name without `.json`. */
  readonly name: string;
  /** The exact bytes of the file. */
  readonly bytes: Buffer;
  readonly payload: Record<string, unknown>;
}

export function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const bytes = readFileSync(new URL(file, FIXTURES_DIR));
      return {
        name: file.replace(/\.json$/, ''),
        bytes,
        payload: JSON.parse(bytes.toString('utf8')) as Record<string, unknown>,
      };
    });
}
