import path from 'node:path';

import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { onTestFinished } from 'vitest';

import { buildApp } from '../../src/app.js';
import type { TelecmiApi } from '../../src/backfill/index.js';
import { type ConfigOverrides, loadConfig } from '../../src/config.js';
import type { Store } from '../../src/store/index.js';
import { createSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import { generateToken } from '../../src/tokens.js';
import { tempDir } from './temp-dir.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly dir: string;
  readonly file: string;
  readonly tokens: { ingestToken: string; apiToken: string; viewerToken: string };
  /** `/webhooks/telecmi/<token>` */
  readonly ingestPath: string;
  readonly auth: { authorization: string };
}

/**
 * buildApp over a real SQLite store in a temporary directory, closed when the test ends. The calls are folded in
 * the store's fold thread, as `telehook serve` folds them, unless the test pins the clock (`now`): a clock cannot
 * cross threads, so those fold in this thread.
 */
export async function createTestApp(
  options: {
    overrides?: ConfigOverrides;
    store?: Partial<SqliteStoreOptions>;
    now?: () => number;
    /** Reopen the data of an earlier test app (a restart). */
    dir?: string;
    tokens?: TestApp['tokens'];
    /** @defaultValue true */
    startDeliveryWorker?: boolean;
    /** How often the alert rules run by themselves; null (the default): only when a test calls them. */
    alertsEveryMs?: number | null;
    /** The client of TeleCMI's REST API (backfill); absent: none, backfill is off. */
    telecmiApi?: TelecmiApi;
  } = {},
): Promise<TestApp> {
  const dir = options.dir ?? tempDir();
  const file = path.join(dir, 'telehook.db');
  const config = loadConfig({
    env: {},
    overrides: { dataDir: dir, logLevel: 'silent', ...options.overrides },
  });
  const store = createSqliteStore({ file, foldThread: options.now === undefined, ...options.store });
  const tokens = options.tokens ?? {
    ingestToken: generateToken(),
    apiToken: generateToken(),
    viewerToken: generateToken(),
  };
  const app = await buildApp(config, {
    store,
    logger: pino({ level: 'silent' }),
    tokens,
    now: options.now,
    startDeliveryWorker: options.startDeliveryWorker,
    alertsEveryMs: options.alertsEveryMs ?? null,
    telecmiApi: options.telecmiApi,
  });
  await app.ready();
  onTestFinished(async () => {
    await app.close();
    await store.close();
  });
  return {
    app,
    store,
    dir,
    file,
    tokens,
    ingestPath: `/webhooks/telecmi/${tokens.ingestToken}`,
    auth: { authorization: `Bearer ${tokens.apiToken}` },
  };
}
