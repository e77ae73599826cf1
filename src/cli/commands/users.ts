import { type Config, loadConfig } from '../../config.js';
import { openStore } from '../../open-app.js';
import { hashPassword, isRole, passwordProblem, userNameProblem } from '../../people/index.js';
import { ROLES, type Store } from '../../store/index.js';
import { type CommandIo, processIo } from '../command-io.js';
import { overridesFrom } from '../config-options.js';
import { UsageError } from '../usage-error.js';

export interface UserFlags {
  readonly role?: string;
  readonly passwordStdin?: boolean;
  readonly json?: boolean;
  readonly data?: string;
  readonly databaseUrl?: string;
}

const SETTINGS_USED: (keyof Config)[] = ['dataDir', 'databaseUrl'];
const ACTIONS = ['add', 'list', 'remove', 'passwd'];

/** All of stdin, less one line ending: `echo "$PASSWORD" | telehook users add …`. */
async function readStdin(io: CommandIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** One line typed on the terminal without echo. */
function askHidden(io: CommandIo, question: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  io.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      io.stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (character === '\u0003') {
          finish();
          reject(new UsageError('cancelled: no password set.'));
          return;
        }
        value = character === '\u007f' || character === '\b' ? value.slice(0, -1) : value + character;
      }
    };
    stdin.on('data', onData);
  });
}

/** The new password: from stdin with --password-stdin, else asked twice on the terminal. */
async function newPassword(io: CommandIo, flags: UserFlags): Promise<string> {
  let password: string;
  if (flags.passwordStdin) password = await readStdin(io);
  else {
    if (!(io.stdin as NodeJS.ReadStream).isTTY)
      throw new UsageError('no terminal to ask for the password on: pipe it with --password-stdin.');
    password = await askHidden(io, 'Password: ');
    if ((await askHidden(io, 'Password again: ')) !== password)
      throw new UsageError('the two passwords differ: nothing changed.');
  }
  const problem = passwordProblem(password);
  if (problem !== null) throw new UsageError(`${problem}: nothing changed.`);
  return password;
}

function checkedName(name: string | undefined, action: string): string {
  if (name === undefined) throw new UsageError(`users ${action} needs a user name.`);
  const problem = userNameProblem(name);
  if (problem !== null) throw new UsageError(`"${name}": ${problem}.`);
  return name;
}

async function act(store: Store, action: string, arg: string | undefined, flags: UserFlags, io: CommandIo) {
  const out = (line: string): void => void io.stdout.write(`${line}\n`);
  const now = Date.now();
  switch (action) {
    case 'add': {
      const name = checkedName(arg, action);
      if (!isRole(flags.role))
        throw new UsageError(`users add needs --role ${ROLES.join('|')} (got ${flags.role ?? 'none'}).`);
      if (await store.getUser(name))
        throw new UsageError(`a user "${name}" exists already: nothing changed.`);
      const passwordHash = await hashPassword(await newPassword(io, flags));
      if (!(await store.addUser({ name, role: flags.role, passwordHash, createdAt: now, updatedAt: now })))
        throw new UsageError(`a user "${name}" exists already: nothing changed.`);
      out(`Added ${name} (${flags.role}): they sign in at /login.`);
      return;
    }
    case 'list': {
      const users = await store.listUsers();
      if (flags.json) for (const user of users) out(JSON.stringify(user));
      else if (users.length === 0)
        out('No users yet: add one with "telehook users add <name> --role admin".');
      else
        for (const user of users)
          out(
            `${user.name.padEnd(24)} ${user.role.padEnd(10)} added ${new Date(user.createdAt).toISOString()}`,
          );
      return;
    }
    case 'remove': {
      const name = checkedName(arg, action);
      if (!(await store.removeUser(name))) throw new UsageError(`no user "${name}".`);
      out(`Removed ${name}; their sessions have ended.`);
      return;
    }
    case 'passwd': {
      const name = checkedName(arg, action);
      if (!(await store.getUser(name))) throw new UsageError(`no user "${name}".`);
      const passwordHash = await hashPassword(await newPassword(io, flags));
      if (!(await store.setUserPassword(name, passwordHash, now))) throw new UsageError(`no user "${name}".`);
      out(`Changed ${name}'s password; their sessions have ended.`);
      return;
    }
    default:
      throw new UsageError(`users: unknown action "${action}" (${ACTIONS.join(', ')}).`);
  }
}

/**
 * `telehook users add|list|remove|passwd`: the people who sign in to the web app, kept in the configured store
 * (SQLite in the data directory, or PostgreSQL), so it works with or without a server running.
 */
export async function runUsers(
  action: string,
  arg: string | undefined,
  flags: UserFlags & Record<string, unknown>,
  io: CommandIo = processIo(),
): Promise<void> {
  if (!ACTIONS.includes(action))
    throw new UsageError(`users: unknown action "${action}" (${ACTIONS.join(', ')}).`);
  const config = loadConfig({ overrides: overridesFrom(flags, SETTINGS_USED) });
  const { store } = await openStore(config);
  try {
    await act(store, action, arg, flags, io);
  } finally {
    await store.close();
  }
}
