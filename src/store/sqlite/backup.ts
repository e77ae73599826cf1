import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { callsFileOf } from './connections.js';

/** What a backup holds, as its `manifest.json` says (counts taken in the snapshot that was copied). */
export interface BackupManifest {
  readonly format: 'telehook-sqlite-backup';
  readonly version: 1;
  /** When the snapshot was taken, epoch ms. */
  readonly takenAt: number;
  /** The files of the backup directory, by role. */
  readonly files: { readonly events: string; readonly calls: string };
  readonly counts: BackupCounts;
}

export interface BackupCounts {
  readonly events: number;
  readonly calls: number;
  readonly deliveries: number;
  readonly quarantine: number;
}

export const MANIFEST_FILE = 'manifest.json';

const COUNTS = {
  calls: 'SELECT count(*) AS n FROM calls_file.calls',
  events: 'SELECT count(*) AS n FROM main.events',
  deliveries: 'SELECT count(*) AS n FROM main.deliveries',
  quarantine: 'SELECT count(*) AS n FROM main.quarantine',
} as const;

function count(db: Database.Database, query: string): number {
  return (db.prepare(query).get() as { n: number }).n;
}

/**
 * Copies the events' and the calls' files of a live SQLite store into `dir` (created; it must be empty) with
 * SQLite's online backup, while the server goes on writing. One read transaction spans both copies, so each file
 * is copied as of one instant (WAL: the writers are not held up, and the copy never restarts).
 *
 * The calls' file is read first: its snapshot is then no later than the events', so the copied projection
 * position never passes the copied events. Were it the other way, a restored store would take events stored
 * later (under the same sequence numbers) as folded already.
 *
 * @example
 * const manifest = await backupSqlite('./data/telehook.db', '/backups/telehook-2026-12-06');
 */
export async function backupSqlite(file: string, dir: string, now = Date.now()): Promise<BackupManifest> {
  if (!existsSync(file)) throw new Error(`There is no SQLite database at ${file}.`);
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new Error(`${dir} is not empty: a backup goes into a new or empty directory.`);
  mkdirSync(dir, { recursive: true });
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('ATTACH DATABASE ? AS calls_file').run(callsFileOf(file));
    db.exec('BEGIN');
    const calls = count(db, COUNTS.calls);
    const events = count(db, COUNTS.events);
    const counts = {
      events,
      calls,
      deliveries: count(db, COUNTS.deliveries),
      quarantine: count(db, COUNTS.quarantine),
    };
    const files = { events: path.basename(file), calls: path.basename(callsFileOf(file)) };
    // Steps of 100 pages on this connection, which holds the snapshot open between steps.
    // better-sqlite3 takes `attached` (the schema to copy), which its type definitions leave out.
    await db.backup(path.join(dir, files.calls), {
      attached: 'calls_file',
    } as unknown as Database.BackupOptions);
    await db.backup(path.join(dir, files.events));
    db.exec('COMMIT');
    const manifest: BackupManifest = {
      format: 'telehook-sqlite-backup',
      version: 1,
      takenAt: now,
      files,
      counts,
    };
    writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    return manifest;
  } finally {
    db.close();
  }
}

/** A backup directory's manifest; throws when the directory is not a telehook backup. */
export function readManifest(dir: string): BackupManifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file)) throw new Error(`${dir} is not a telehook backup: it has no ${MANIFEST_FILE}.`);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  if (manifest.format !== 'telehook-sqlite-backup' || manifest.version !== 1)
    throw new Error(`${file} is not a telehook backup manifest of a version this telehook reads.`);
  return manifest;
}

/** What {@link verifySqliteBackup} found: each count in the copy beside the manifest's. */
export interface BackupCheck {
  readonly ok: boolean;
  readonly integrity: string;
  readonly manifest: BackupManifest;
  readonly counts: BackupCounts;
}

/**
 * Opens a backup's copies (read-only), checks their pages (`PRAGMA quick_check`) and counts what they hold,
 * against the counts the manifest recorded when the snapshot was taken.
 */
export function verifySqliteBackup(dir: string): BackupCheck {
  const manifest = readManifest(dir);
  const eventsFile = path.join(dir, manifest.files.events);
  const callsFile = path.join(dir, manifest.files.calls);
  for (const copy of [eventsFile, callsFile])
    if (!existsSync(copy)) throw new Error(`The backup lacks ${copy}.`);
  const db = new Database(eventsFile, { readonly: true, fileMustExist: true });
  try {
    db.prepare('ATTACH DATABASE ? AS calls_file').run(callsFile);
    const checks = [
      ...(db.pragma('main.quick_check') as { quick_check: string }[]),
      ...(db.pragma('calls_file.quick_check') as { quick_check: string }[]),
    ].map((row) => row.quick_check);
    const integrity = checks.every((check) => check === 'ok') ? 'ok' : checks.join('; ');
    const counts = {
      events: count(db, COUNTS.events),
      calls: count(db, COUNTS.calls),
      deliveries: count(db, COUNTS.deliveries),
      quarantine: count(db, COUNTS.quarantine),
    };
    const same = (Object.keys(counts) as (keyof BackupCounts)[]).every(
      (key) => counts[key] === manifest.counts[key],
    );
    return { ok: same && integrity === 'ok', integrity, manifest, counts };
  } finally {
    db.close();
  }
}

/**
 * Puts a backup's files back as the SQLite store `file` (stop the server first). Files of the store already there
 * (and their logs) are replaced only with `force`: the caller decides whether the data directory may be
 * overwritten.
 */
export function restoreSqlite(dir: string, file: string): BackupManifest {
  const manifest = readManifest(dir);
  verifyPresent(dir, manifest);
  mkdirSync(path.dirname(file), { recursive: true });
  for (const target of [file, callsFileOf(file)])
    for (const suffix of ['', '-wal', '-shm']) rmSync(target + suffix, { force: true });
  copyFileSync(path.join(dir, manifest.files.calls), callsFileOf(file));
  copyFileSync(path.join(dir, manifest.files.events), file);
  return manifest;
}

function verifyPresent(dir: string, manifest: BackupManifest): void {
  for (const name of [manifest.files.events, manifest.files.calls])
    if (!existsSync(path.join(dir, name))) throw new Error(`The backup lacks ${path.join(dir, name)}.`);
}
