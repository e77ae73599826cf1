import path from 'node:path';

import type { Config } from '../config.js';
import type { Store } from '../store/index.js';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';

/** The SQLite database file inside a data directory. */
export const SQLITE_FILE = 'telehook.db';

/** A database URL as it may be printed: the password hidden. */
export const redactUrl = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:[redacted]@');

/**
 * Opens the store the config names: PostgreSQL when a database URL is set (migrating it first), else SQLite in the
 * data directory.
 */
export async function openStore(
  config: Pick<Config, 'dataDir' | 'databaseUrl'> & Partial<Pick<Config, 'databasePoolSize'>>,
): Promise<{ store: Store; description: string }> {
  if (config.databaseUrl !== null) {
    const store = await createPostgresStore({ url: config.databaseUrl, poolSize: config.databasePoolSize });
    return { store, description: `PostgreSQL ${redactUrl(config.databaseUrl)}` };
  }
  const file = path.join(config.dataDir, SQLITE_FILE);
  return { store: createSqliteStore({ file }), description: `SQLite ${file}` };
}
