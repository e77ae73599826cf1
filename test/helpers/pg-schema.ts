import { createHash, randomBytes } from 'node:crypto';

import pg from 'pg';
import { inject, onTestFinished } from 'vitest';

/** The tests' PostgreSQL (see postgres-global-setup.ts). */
const testDatabaseUrl = (): string => inject('databaseUrl');

/** A URL whose connections work in `schema` (search_path), which telehook creates when missing. */
function urlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/**
 * A new, empty schema for one test, named from a hash of the test's name plus a random part (tests of several
 * files run at once on one server), and dropped when the test passes: a failing test's schema is kept, and named,
 * for inspection (pg-boss).
 */
export function testSchema(name: string): { schema: string; url: string } {
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  const schema = `t_${hash}_${randomBytes(4).toString('hex')}`;
  const base = testDatabaseUrl();
  onTestFinished(async (context) => {
    if (context.task.result?.state === 'fail') {
      console.error(`kept PostgreSQL schema ${schema} for inspection`);
      return;
    }
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  });
  return { schema, url: urlWithSchema(base, schema) };
}
