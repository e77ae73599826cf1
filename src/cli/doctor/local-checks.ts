import { accessSync, constants, existsSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Config, ResolvedConfig } from '../../config.js';
import { SQLITE_FILE } from '../../open-app.js';
import { redactUrl } from '../../redact.js';
import { pendingPostgresMigrations } from '../../store/postgres/migration-status.js';
import { CALLS_MIGRATIONS_DIR, loadMigrations, pendingSqliteMigrations } from '../../store/sqlite/migrate.js';
import { callsFileOf } from '../../store/sqlite/sqlite-store.js';
import { TOKENS_FILE } from '../../tokens.js';
import { type CheckResult, fail, formatBytes, ok, warn } from './report.js';

/** Below this a data directory fails: SQLite needs room for its write-ahead log and checkpoints. */
export const FREE_SPACE_FAIL_BYTES = 100 * 1024 * 1024;
/** Below this it warns: a busy day of events with their raw bytes can take hundreds of megabytes. */
export const FREE_SPACE_WARN_BYTES = 1024 * 1024 * 1024;

/** The settings: where they came from, and a configuration file with a secret that others may read. */
export function checkSettings(resolved: ResolvedConfig): CheckResult {
  if (resolved.configFile === null)
    return ok('settings', 'flags, environment and defaults (no configuration file)');
  const holdsSecret = Object.values(resolved.origins).some(
    (origin) => origin.kind === 'file' && /^(tokens\.|telecmi\.secret$|database\.url$)/.test(origin.key),
  );
  const mode = statSync(resolved.configFile).mode & 0o777;
  if (holdsSecret && (mode & 0o077) !== 0)
    return warn(
      'settings',
      `${resolved.configFile} holds a secret and others may read it (mode ${mode.toString(8)}): chmod 600 it`,
    );
  return ok('settings', `configuration file ${resolved.configFile}`);
}

/** The data directory: there (or creatable), writable by this user, with room to grow. */
export function checkDataDir(config: Config): CheckResult {
  const dir = config.dataDir;
  let existing = dir;
  while (!existsSync(existing)) existing = path.dirname(existing);
  if (existing !== dir) {
    try {
      accessSync(existing, constants.W_OK);
    } catch {
      return fail('data directory', `${dir} does not exist, and ${existing} is not writable to create it`);
    }
  } else {
    // access() says yes to root on a read-only mount: writing a file is the only honest test.
    const probe = path.join(dir, `.doctor-${process.pid}`);
    try {
      writeFileSync(probe, '');
      rmSync(probe);
    } catch (error) {
      return fail('data directory', `${dir} is not writable: ${(error as Error).message}`);
    }
  }
  const space = statfsSync(existing);
  const free = space.bavail * space.bsize;
  const total = space.blocks * space.bsize;
  const where = existing === dir ? dir : `${dir} (not created yet; its disk)`;
  const text = `${where}: ${formatBytes(free)} free of ${formatBytes(total)}`;
  if (free < FREE_SPACE_FAIL_BYTES) return fail('data directory', `${text}: ingest stops when it is full`);
  if (free < FREE_SPACE_WARN_BYTES)
    return warn('data directory', `${text}: less than ${formatBytes(FREE_SPACE_WARN_BYTES)}`);
  return ok('data directory', `${text}, writable`);
}

/**
 * The database: reachable, and its schema this version's. Nothing is written: pending migrations are reported,
 * for `telehook migrate` or the next start to apply. Returns whether the store may be opened for the next checks.
 */
export async function checkDatabase(config: Config): Promise<{ result: CheckResult; usable: boolean }> {
  try {
    if (config.databaseUrl !== null) {
      const where = `PostgreSQL ${redactUrl(config.databaseUrl)}`;
      const pending = await pendingPostgresMigrations(config.databaseUrl);
      return pendingResult(where, pending);
    }
    const file = path.join(config.dataDir, SQLITE_FILE);
    if (!existsSync(file))
      return {
        result: warn('database', `SQLite ${file}: none yet (the first start creates it)`),
        usable: false,
      };
    const pending = pendingSqliteMigrations(file);
    const calls = callsFileOf(file);
    if (existsSync(calls))
      pending.push(
        ...pendingSqliteMigrations(calls, loadMigrations(CALLS_MIGRATIONS_DIR)).map(
          (name) => `calls ${name}`,
        ),
      );
    return pendingResult(`SQLite ${file}`, pending);
  } catch (error) {
    return { result: fail('database', (error as Error).message), usable: false };
  }
}

function pendingResult(where: string, pending: string[]): { result: CheckResult; usable: boolean } {
  if (pending.length === 0) return { result: ok('database', `${where}: schema up to date`), usable: true };
  return {
    result: warn(
      'database',
      `${where}: ${pending.length} migration(s) to apply (${pending.join(', ')}): telehook migrate, or the next start, applies them`,
    ),
    usable: false,
  };
}

/** The tokens: set, or kept in the data directory where only telehook's user may read them. */
export function checkTokens(config: Config): CheckResult {
  const file = path.join(config.dataDir, TOKENS_FILE);
  const configured = [config.ingestToken, config.apiToken, config.viewerToken].filter(
    (token) => token !== null,
  );
  if (configured.length === 3) return ok('tokens', 'all three set in the settings');
  if (!existsSync(file))
    return warn('tokens', `${file} not there yet: the first start generates the tokens (or set them)`);
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0)
    return warn('tokens', `${file} may be read by others (mode ${mode.toString(8)}): chmod 600 it`);
  return ok('tokens', `${configured.length === 0 ? 'kept in' : 'set, the rest kept in'} ${file} (mode 600)`);
}
