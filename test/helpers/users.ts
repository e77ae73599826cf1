import { Readable, Writable } from 'node:stream';

import { runUsers } from '../../src/cli/commands/users.js';

/**
 * Adds a user to the store of a data directory (or of a PostgreSQL database, with `databaseUrl`) as
 * `telehook users add … --password-stdin` does.
 */
export async function addUserTo(
  dataDir: string,
  name: string,
  role: 'viewer' | 'supervisor' | 'admin',
  password: string,
  databaseUrl?: string,
): Promise<void> {
  await runUsers(
    'add',
    name,
    { data: dataDir, role, passwordStdin: true, ...(databaseUrl === undefined ? {} : { databaseUrl }) },
    {
      stdin: Readable.from([`${password}\n`]),
      stdout: new Writable({ write: (_chunk, _encoding, done) => done() }),
      stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
    },
  );
}
