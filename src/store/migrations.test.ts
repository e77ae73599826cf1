import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { BASELINE_VERSION, planMigrations } from './migration-plan.js';
import { loadMigrations as loadPostgresMigrations } from './postgres/migrate.js';
import { CALLS_MIGRATIONS_DIR, loadMigrations } from './sqlite/migrate.js';

const STORE_DIR = new URL('./', import.meta.url);
const MIGRATION_DIRS = ['sqlite/migrations', 'sqlite/calls-migrations', 'postgres/migrations'];

/** The manifest's lines: `<sha256>  <path from src/store>`. */
function manifest(): Map<string, string> {
  const lines = readFileSync(new URL('migrations.sha256', STORE_DIR), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  return new Map(
    lines.map((line) => {
      const match = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
      if (!match) throw new Error(`migrations.sha256: not "<sha256>  <path>": ${line}`);
      return [match[2]!, match[1]!];
    }),
  );
}

function migrationFiles(): string[] {
  return MIGRATION_DIRS.flatMap((dir) =>
    readdirSync(new URL(`${dir}/`, STORE_DIR), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.sql'))
      .map((file) => `${dir}/${file}`),
  ).sort();
}

describe('migration files (src/store/migrations.sha256)', () => {
  it('are never edited once listed: each keeps the SHA-256 recorded when it was added', () => {
    const edited = [...manifest()]
      .map(([file, recorded]) => {
        const actual = createHash('sha256')
          .update(readFileSync(new URL(file, STORE_DIR)))
          .digest('hex');
        return actual === recorded ? null : file;
      })
      .filter((file) => file !== null);
    // An applied migration is not run again: an edit would give new databases a schema the old ones never get.
    // Change the schema with a new migration file instead.
    expect(edited, 'migrations edited after they were recorded').toEqual([]);
  });

  it('are all listed, so that none can change unnoticed', () => {
    const listed = new Set(manifest().keys());
    expect(migrationFiles().filter((file) => !listed.has(file))).toEqual([]);
    expect([...listed].filter((file) => !migrationFiles().includes(file))).toEqual([]);
  });

  it('begin with the baseline in each kind, the legacy files numbered below it', () => {
    for (const set of [loadMigrations(), loadMigrations(CALLS_MIGRATIONS_DIR), loadPostgresMigrations()]) {
      expect(set.migrations[0]?.name).toBe('0100_baseline.sql');
      expect(set.legacy.length).toBeGreaterThan(0);
      expect(set.legacy.every((migration) => migration.version < BASELINE_VERSION)).toBe(true);
    }
  });
});

describe('planMigrations', () => {
  const events = loadMigrations();
  const steps = (applied: number[]): string[] =>
    planMigrations(new Set(applied), events).map(({ action, migration }) => `${action} ${migration.name}`);

  it('gives a new database the baseline, and one at the baseline nothing', () => {
    expect(steps([])).toEqual([
      'apply 0100_baseline.sql',
      'apply 0101_reconcile.sql',
      'apply 0102_people.sql',
      'apply 0103_alerts.sql',
      'apply 0104_followups.sql',
      'apply 0105_number_masking.sql',
    ]);
    expect(steps([100, 101, 102, 103, 104, 105])).toEqual([]);
    expect(steps([100, 101])).toEqual([
      'apply 0102_people.sql',
      'apply 0103_alerts.sql',
      'apply 0104_followups.sql',
      'apply 0105_number_masking.sql',
    ]);
    expect(steps([1, 2, 3, 5, 6, 7, 8, 9, 10, 100, 101, 102, 103, 104, 105])).toEqual([]);
  });

  it('brings a database of a version before the baseline through the legacy files it has not seen, then adopts the baseline', () => {
    expect(steps([1, 2, 3, 5, 6, 7, 8])).toEqual([
      'apply 0009_dedupe_key_time_prefix.sql',
      'apply 0010_events_call_key_index_dropped.sql',
      'adopt 0100_baseline.sql',
      'apply 0101_reconcile.sql',
      'apply 0102_people.sql',
      'apply 0103_alerts.sql',
      'apply 0104_followups.sql',
      'apply 0105_number_masking.sql',
    ]);
    expect(steps([1, 2, 3, 5, 6, 7, 8, 9, 10])).toEqual([
      'adopt 0100_baseline.sql',
      'apply 0101_reconcile.sql',
      'apply 0102_people.sql',
      'apply 0103_alerts.sql',
      'apply 0104_followups.sql',
      'apply 0105_number_masking.sql',
    ]);
    expect(steps([1])).toHaveLength(events.legacy.length - 1 + 1 + 5);
  });

  it('refuses a database migrated by a newer telehook, or listing a version no telehook shipped', () => {
    expect(() => steps([100, 101, 102, 103, 104, 105, 106])).toThrow(
      /newer telehook \(schema 106; this version knows 105\)/,
    );
    expect(() => steps([1, 4])).toThrow(
      /migrations that no version of telehook before its baseline shipped \(4\)/,
    );
  });
});
