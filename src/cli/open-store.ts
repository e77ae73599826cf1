import path from 'node:path';

import type { FastifyBaseLogger } from 'fastify';

import type { Config } from '../config.js';
import { redactUrl } from '../redact.js';
import type { Store } from '../store/index.js';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { startWriterThread, type WriterThread } from '../writer/index.js';

/** The SQLite database file inside a data directory. */
export const SQLITE_FILE = 'telehook.db';

/**
 * Opens the store the config names: PostgreSQL when a database URL is set (migrating it first), else SQLite in the
 * data directory. With `writerThread` (the server), the calls projection runs in the calls writer thread
 * (src/writer), and `writer` is returned: close it after the store.
 */
export async function openStore(
  config: Pick<Config, 'dataDir' | 'databaseUrl'> & Partial<Pick<Config, 'databasePoolSize'>>,
  options: {
    writerThread?: {
      logger: FastifyBaseLogger;
      settings: Pick<Config, 'staleCallAfterMs' | 'logLevel' | 'logFormat'>;
    };
  } = {},
): Promise<{ store: Store; description: string; writer?: WriterThread }> {
  if (config.databaseUrl !== null) {
    const store = await createPostgresStore({ url: config.databaseUrl, poolSize: config.databasePoolSize });
    return { store, description: `PostgreSQL ${redactUrl(config.databaseUrl)}` };
  }
  const file = path.join(config.dataDir, SQLITE_FILE);
  const threadOptions = options.writerThread;
  if (!threadOptions) return { store: createSqliteStore({ file }), description: `SQLite ${file}` };
  // The store migrates the database as it opens, before the thread opens its own connections.
  let writer: WriterThread | null = null;
  const store = createSqliteStore({ file, onCommitted: (events) => writer?.committed(events) });
  writer = startWriterThread({ file, ...threadOptions });
  return { store, description: `SQLite ${file}`, writer };
}
