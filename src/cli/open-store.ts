import path from 'node:path';

import type { Config } from '../config.js';
import type { Store } from '../store/index.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';

/** The SQLite database file inside a data directory. */
export const SQLITE_FILE = 'telehook.db';

/** Opens the store the config names: PostgreSQL when a database URL is set, else SQLite in the data directory. */
export function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl'>): {
  store: Store;
  description: string;
} {
  if (config.databaseUrl !== null) {
    throw new Error(
      'TELEHOOK_DATABASE_URL is set, but this version of telehook stores in SQLite only; unset it.',
    );
  }
  const file = path.join(config.dataDir, SQLITE_FILE);
  return { store: createSqliteStore({ file }), description: `SQLite ${file}` };
}
