import path from 'node:path';

import type { FastifyInstance } from 'fastify';

import { type AppDeps, buildApp } from './app.js';
import type { Config } from './config.js';
import { redactUrl } from './redact.js';
import type { Store } from './store/index.js';
import { createSqliteStore } from './store/sqlite/sqlite-store.js';

/** The SQLite database file inside a data directory. */
export const SQLITE_FILE = 'telehook.db';

/** What {@link openStore} opened, and how to name it to a person (the password hidden). */
export interface OpenedStore {
  readonly store: Store;
  readonly description: string;
}

/**
 * Opens the store the config names: PostgreSQL when a database URL is set (migrating it first), else SQLite in the
 * data directory. The store runs its own projection when asked (`store.createProjection`): on SQLite in its fold
 * thread unless `foldThread` is false (only for tests that pin the clock).
 */
export async function openStore(
  config: Pick<Config, 'dataDir' | 'databaseUrl'> & Partial<Pick<Config, 'databasePoolSize'>>,
  options: { readonly foldThread?: boolean } = {},
): Promise<OpenedStore> {
  if (config.databaseUrl !== null) {
    // Loaded only for PostgreSQL: pg and the adapter are not kept in the memory of a telehook on SQLite.
    const { createPostgresStore } = await import('./store/postgres/postgres-store.js');
    const store = await createPostgresStore({ url: config.databaseUrl, poolSize: config.databasePoolSize });
    return { store, description: `PostgreSQL ${redactUrl(config.databaseUrl)}` };
  }
  const file = path.join(config.dataDir, SQLITE_FILE);
  return {
    store: createSqliteStore({ file, foldThread: options.foldThread }),
    description: `SQLite ${file}`,
  };
}

/** What the app is opened with: {@link AppDeps} without the store, which {@link openApp} opens. */
export interface OpenAppDeps extends Omit<AppDeps, 'store'> {
  /** SQLite: fold in the fold thread. Off only for tests that pin the clock (`now`). @defaultValue true */
  readonly foldThread?: boolean;
}

export interface OpenedApp extends OpenedStore {
  readonly app: FastifyInstance;
  /** Stops the app (its projection, its deliveries), then closes its store. */
  readonly close: () => Promise<void>;
}

/**
 * Opens the store the config names and builds the app over it: `telehook serve` and the tests start telehook
 * this one way. Does not listen.
 *
 * @example
 * const { app, close } = await openApp(config, { logger, tokens });
 * await app.listen({ port: config.port, host: config.host });
 */
export async function openApp(config: Config, deps: OpenAppDeps): Promise<OpenedApp> {
  const { foldThread, ...appDeps } = deps;
  const { store, description } = await openStore(config, { foldThread });
  let app: FastifyInstance;
  try {
    app = await buildApp(config, { ...appDeps, store });
  } catch (error) {
    await store.close();
    throw error;
  }
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await app.close();
      await store.close();
    })());
  return { app, store, description, close };
}
