import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { onTestFinished } from 'vitest';

import { type Config, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openApp } from '../../src/open-app.js';
import type { Store } from '../../src/store/index.js';
import { testSchema } from './pg-schema.js';
import { tempDir } from './temp-dir.js';

export const TOKENS = { ingestToken: 'ingest-token', apiToken: 'api-token', viewerToken: 'viewer-token' };

/** A running app over a real store, with helpers to post to the ingest URL and call the API. */
export interface AppSetup {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** The SQLite data directory, or the PostgreSQL URL (with its schema). */
  readonly location: string;
  post(body: string, contentType?: string): Promise<LightMyRequestResponse>;
  api(url: string, method?: 'GET' | 'POST'): Promise<LightMyRequestResponse>;
  /** Stops the app and closes its store (as at a restart); also done when the test ends. */
  close(): Promise<void>;
}

/** The two ways telehook runs, as `serve` runs them: SQLite (folding in its fold thread), PostgreSQL. */
export type SetupName = 'sqlite' | 'postgres';
export const SETUPS: readonly SetupName[] = ['sqlite', 'postgres'];

/**
 * Builds the app over a store of `setup`, as `telehook serve` does, closed when the test ends. `location` reopens
 * the data of an earlier setup (a restart).
 */
export async function startSetup(
  setup: SetupName,
  name: string,
  location?: string,
  options: {
    /** Off for tests that register endpoints but must not send to them. @defaultValue true */
    startDeliveryWorker?: boolean;
    /** Settings beside the test's own, as texts (e.g. `{ maskNumbersAfterMs: '90d' }`). */
    overrides?: Partial<Record<keyof Config, string>>;
    /** How often the retention job runs (tests: a few milliseconds). @defaultValue an hour */
    retentionEveryMs?: number;
  } = {},
): Promise<AppSetup> {
  const dir = setup === 'postgres' ? null : (location ?? tempDir());
  const url = setup === 'postgres' ? (location ?? testSchema(name).url) : null;
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir ?? tempDir(),
      logLevel: 'silent',
      ...(url === null ? {} : { databaseUrl: url }),
      ...options.overrides,
    },
  });
  const { app, store, close } = await openApp(config, {
    logger: createLogger(config),
    tokens: TOKENS,
    startDeliveryWorker: options.startDeliveryWorker,
    retentionEveryMs: options.retentionEveryMs,
  });
  await app.ready();
  onTestFinished(close);
  return {
    close,
    app,
    store,
    location: url ?? dir!,
    post: (body, contentType = 'application/json') =>
      app.inject({
        method: 'POST',
        url: `/webhooks/telecmi/${TOKENS.ingestToken}`,
        headers: { 'content-type': contentType },
        payload: body,
      }),
    api: (path, method = 'GET') =>
      app.inject({ method, url: path, headers: { authorization: `Bearer ${TOKENS.apiToken}` } }),
  };
}
