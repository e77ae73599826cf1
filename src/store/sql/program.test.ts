import Database from 'better-sqlite3';
import sql from 'sql-template-tag';
import { describe, expect, it } from 'vitest';

import { sqliteDialect, truthy } from './dialect.js';
import { all, one, type Program, run, runAsync, runSync, sqliteExecutor } from './program.js';

/** A program with a write, a read of what it wrote, array membership and a conditional count. */
function* scenario(values: readonly number[]): Program<{ changed: number; picked: number[]; odd: number }> {
  let changed = 0;
  for (const value of values)
    changed += yield* run(sql`INSERT INTO t (n, odd) VALUES (${value}, ${value % 2 === 1})`);
  const picked = (yield* all<{ n: number }>(
    sql`SELECT n FROM t WHERE ${sqliteDialect.anyOf('n', [2, 3, 9], 'bigint')} ORDER BY n`,
  )).map((row) => row.n);
  const odd = (yield* one<{ k: number }>(
    sql`SELECT ${sqliteDialect.countIf(sqliteDialect.isTrue('odd'))} AS k FROM t`,
  ))!.k;
  return { changed, picked, odd };
}

describe('programs written once', () => {
  it('run to the same result synchronously and awaited, binding booleans and arrays as SQLite needs', async () => {
    const results = [];
    for (const runner of ['sync', 'async'] as const) {
      const db = new Database(':memory:');
      db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY, odd INTEGER NOT NULL)');
      const execute = sqliteExecutor(db);
      const program = scenario([1, 2, 3, 4]);
      results.push(
        runner === 'sync'
          ? runSync(execute, program)
          : await runAsync(async (step) => execute(step), program),
      );
      expect(truthy(db.prepare('SELECT odd FROM t WHERE n = 3').pluck().get())).toBe(true);
      db.close();
    }
    expect(results[0]).toEqual({ changed: 4, picked: [2, 3], odd: 2 });
    expect(results[1]).toEqual(results[0]);
  });

  it('stops at the first failing statement and reports it', () => {
    const db = new Database(':memory:');
    expect(() => runSync(sqliteExecutor(db), all(sql`SELECT * FROM missing`))).toThrow(/no such table/);
    db.close();
  });
});
