import { chmodSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import {
  type BackupCheck,
  type BackupCounts,
  backupSqlite,
  restoreSqlite,
  verifySqliteBackup,
} from '../../backup/index.js';
import { writeLastBackup } from '../../backup-marker.js';
import { type Config, loadConfig } from '../../config.js';
import { SQLITE_FILE } from '../../open-app.js';
import { TOKENS_FILE } from '../../tokens.js';
import { configSourcesFrom } from '../config-options.js';
import { readRunningServer } from '../server-info.js';
import { UsageError } from '../usage-error.js';

const SETTINGS_USED: (keyof Config)[] = ['dataDir', 'databaseUrl'];

export interface BackupFlags extends Record<string, unknown> {
  readonly verify?: boolean;
}

export interface RestoreFlags extends Record<string, unknown> {
  readonly force?: boolean;
}

const POSTGRES_HINT =
  'with PostgreSQL (TELEHOOK_DATABASE_URL), back up with pg_dump and restore with pg_restore (README "Backups")';

const describeCounts = (counts: BackupCounts): string =>
  `${counts.events} events, ${counts.calls} calls, ${counts.deliveries} deliveries, ${counts.quarantine} quarantined`;

/**
 * `telehook backup DIR`: a consistent copy of the SQLite store (both files) and the kept tokens, taken while the
 * server runs, into a new directory; then checked as {@link runVerify} checks it, and noted in the data directory
 * for /metrics. `--verify DIR` only checks an existing backup. Resolves with the exit code.
 */
export async function runBackup(
  target: string,
  flags: BackupFlags,
  out: NodeJS.WritableStream = process.stdout,
  now = Date.now(),
): Promise<number> {
  const config = loadConfig(configSourcesFrom(flags, SETTINGS_USED));
  const dir = path.resolve(target);
  if (flags.verify) return runVerify(dir, out);
  if (config.databaseUrl !== null) throw new UsageError(`telehook backup copies SQLite: ${POSTGRES_HINT}.`);
  const file = path.join(config.dataDir, SQLITE_FILE);
  if (!existsSync(file)) throw new UsageError(`no telehook database in ${config.dataDir} (--data).`);
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new UsageError(`${dir} is not empty: name a new directory for the backup.`);
  const manifest = await backupSqlite(file, dir, now);
  const tokens = path.join(config.dataDir, TOKENS_FILE);
  if (existsSync(tokens)) {
    copyFileSync(tokens, path.join(dir, TOKENS_FILE));
    chmodSync(path.join(dir, TOKENS_FILE), 0o600);
  }
  out.write(`Backed up ${describeCounts(manifest.counts)} into ${dir}.\n`);
  const code = runVerify(dir, out);
  if (code === 0) writeLastBackup(config.dataDir, { takenAt: manifest.takenAt, path: dir });
  return code;
}

/** `telehook backup --verify DIR`: opens the copies, checks their pages and compares their counts. */
export function runVerify(dir: string, out: NodeJS.WritableStream = process.stdout): number {
  const check = checkBackup(dir);
  if (typeof check === 'string') {
    out.write(`${check}\n`);
    return 1;
  }
  const taken = new Date(check.manifest.takenAt).toISOString();
  if (check.ok) {
    out.write(`Verified ${dir}: taken ${taken}, pages ok, ${describeCounts(check.counts)} as recorded.\n`);
    return 0;
  }
  out.write(
    `Backup ${dir} is damaged: pages ${check.integrity}; it holds ${describeCounts(check.counts)}, ` +
      `its manifest recorded ${describeCounts(check.manifest.counts)}.\n`,
  );
  return 1;
}

/**
 * `telehook restore DIR`: puts a backup back into the data directory, with the tokens it kept (so that the
 * ingest URL stays the same). A data directory that holds anything is overwritten only with `--force`; never
 * while a server runs on it.
 */
export function runRestore(
  source: string,
  flags: RestoreFlags,
  out: NodeJS.WritableStream = process.stdout,
): number {
  const config = loadConfig(configSourcesFrom(flags, SETTINGS_USED));
  const dir = path.resolve(source);
  if (config.databaseUrl !== null)
    throw new UsageError(`telehook restore puts SQLite back: ${POSTGRES_HINT}.`);
  const running = readRunningServer(config.dataDir);
  if (running)
    throw new UsageError(
      `a server (pid ${running.pid}) runs on ${config.dataDir}: stop it before restoring into its data directory.`,
    );
  const present = existsSync(config.dataDir) ? readdirSync(config.dataDir) : [];
  if (present.length > 0 && !flags.force)
    throw new UsageError(
      `${config.dataDir} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}): ` +
        'restore into an empty data directory, or add --force to replace its database and tokens.',
    );
  const check = checkBackup(dir);
  if (typeof check === 'string' || !check.ok) {
    runVerify(dir, out);
    out.write('Nothing was restored.\n');
    return 1;
  }
  const manifest = restoreSqlite(dir, path.join(config.dataDir, SQLITE_FILE));
  if (existsSync(path.join(dir, TOKENS_FILE))) {
    copyFileSync(path.join(dir, TOKENS_FILE), path.join(config.dataDir, TOKENS_FILE));
    chmodSync(path.join(config.dataDir, TOKENS_FILE), 0o600);
  }
  out.write(
    `Restored ${describeCounts(manifest.counts)} (taken ${new Date(manifest.takenAt).toISOString()}) into ${config.dataDir}.\n`,
  );
  return 0;
}

/** A backup's check, or why it cannot be checked at all (not a backup, a file missing, not a database). */
function checkBackup(dir: string): BackupCheck | string {
  try {
    return verifySqliteBackup(dir);
  } catch (error) {
    return `Backup ${dir} cannot be read: ${(error as Error).message}`;
  }
}
