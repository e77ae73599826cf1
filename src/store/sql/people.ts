import sql from 'sql-template-tag';

import type { PeopleStore, Role, User, UserWithPassword } from '../people-records.js';
import { all, one, type Program, run } from './program.js';
import type { Engine } from './sql-store.js';

interface UserRow {
  name: string;
  role: string;
  password_hash: string;
  created_at: number | string;
  updated_at: number | string;
}

const toUser = (row: UserRow): UserWithPassword => ({
  name: row.name,
  role: row.role as Role,
  passwordHash: row.password_hash,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

function* endSessionsOf(name: string): Program<void> {
  yield* run(sql`DELETE FROM sessions WHERE user_name = ${name}`);
}

/** The users and sessions, written once for both databases (kept with the configuration: fsynced on SQLite). */
export function createPeopleQueries(engine: Engine): PeopleStore {
  return {
    addUser: (user) =>
      engine.write(
        'config',
        (function* () {
          const added = yield* run(sql`INSERT INTO users (name, role, password_hash, created_at, updated_at)
            VALUES (${user.name}, ${user.role}, ${user.passwordHash}, ${user.createdAt}, ${user.updatedAt})
            ON CONFLICT (name) DO NOTHING`);
          return added === 1;
        })(),
      ),
    getUser: (name) =>
      engine.read(
        (function* () {
          const row = yield* one<UserRow>(sql`SELECT * FROM users WHERE name = ${name}`);
          return row ? toUser(row) : null;
        })(),
      ),
    listUsers: () =>
      engine.read(
        (function* () {
          const rows = yield* all<UserRow>(sql`SELECT * FROM users ORDER BY name`);
          return rows.map((row): User => {
            const { passwordHash: _hash, ...user } = toUser(row);
            return user;
          });
        })(),
      ),
    setUserPassword: (name, passwordHash, at) =>
      engine.write(
        'config',
        (function* () {
          const changed = yield* run(
            sql`UPDATE users SET password_hash = ${passwordHash}, updated_at = ${at} WHERE name = ${name}`,
          );
          // Whoever knew the old password may have signed in with it.
          yield* endSessionsOf(name);
          return changed === 1;
        })(),
      ),
    setUserRole: (name, role, at) =>
      engine
        .write('config', run(sql`UPDATE users SET role = ${role}, updated_at = ${at} WHERE name = ${name}`))
        .then((changed) => changed === 1),
    removeUser: (name) =>
      engine.write(
        'config',
        (function* () {
          yield* endSessionsOf(name);
          return (yield* run(sql`DELETE FROM users WHERE name = ${name}`)) === 1;
        })(),
      ),
    startSession: (session) =>
      engine.write(
        'config',
        (function* () {
          yield* run(
            sql`DELETE FROM sessions WHERE user_name = ${session.name} AND expires_at <= ${session.createdAt}`,
          );
          yield* run(sql`INSERT INTO sessions (token_hash, user_name, created_at, expires_at)
            VALUES (${session.tokenHash}, ${session.name}, ${session.createdAt}, ${session.expiresAt})`);
        })(),
      ),
    findSession: (tokenHash, at) =>
      engine.read(
        (function* () {
          const row = yield* one<{ name: string; role: string; expires_at: number | string }>(
            sql`SELECT u.name, u.role, s.expires_at FROM sessions s JOIN users u ON u.name = s.user_name
              WHERE s.token_hash = ${tokenHash} AND s.expires_at > ${at}`,
          );
          return row ? { name: row.name, role: row.role as Role, expiresAt: Number(row.expires_at) } : null;
        })(),
      ),
    endSession: async (tokenHash) => {
      await engine.write('config', run(sql`DELETE FROM sessions WHERE token_hash = ${tokenHash}`));
    },
  };
}
