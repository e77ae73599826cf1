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

import {
  type BackupCounts,
  inspectSqliteCopy,
  type SnapshotFiles,
  snapshotSqlite,
} from '../store/sqlite/backup.js';
import { callsFileOf } from '../store/sqlite/sqlite-store.js';

export type { BackupCounts };

/** What a backup holds, as its `manifest.json` says (counts taken in the snapshot that was copied). */
export interface BackupManifest {
  readonly format: 'telehook-sqlite-backup';
  readonly version: 1;
  /** When the snapshot was taken, epoch ms. */
  readonly takenAt: number;
  /** The files of the backup directory, by role. */
  readonly files: SnapshotFiles;
  readonly counts: BackupCounts;
}

const MANIFEST_FILE = 'manifest.json';

/**
 * Copies the events' and the calls' files of a live SQLite store into `dir` (created; it must be empty) as of one
 * instant, while the server goes on writing (see snapshotSqlite), and writes the manifest beside them.
 *
 * @example
 * const manifest = await backupSqlite('./data/telehook.db', '/backups/telehook-2026-12-06');
 */
export async function backupSqlite(file: string, dir: string, now = Date.now()): Promise<BackupManifest> {
  if (!existsSync(file)) throw new Error(`There is no SQLite database at ${file}.`);
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new Error(`${dir} is not empty: a backup goes into a new or empty directory.`);
  mkdirSync(dir, { recursive: true });
  const { files, counts } = await snapshotSqlite(file, dir);
  const manifest: BackupManifest = {
    format: 'telehook-sqlite-backup',
    version: 1,
    takenAt: now,
    files,
    counts,
  };
  writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** A backup directory's manifest; throws when the directory is not a telehook backup. */
function readManifest(dir: string): BackupManifest {
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
 * Opens a backup's copies (read-only), checks their pages and counts what they hold, against the counts the
 * manifest recorded when the snapshot was taken.
 */
export function verifySqliteBackup(dir: string): BackupCheck {
  const manifest = readManifest(dir);
  const [eventsFile, callsFile] = copiesOf(dir, manifest);
  const { integrity, counts } = inspectSqliteCopy(eventsFile, callsFile);
  const same = (Object.keys(counts) as (keyof BackupCounts)[]).every(
    (key) => counts[key] === manifest.counts[key],
  );
  return { ok: same && integrity === 'ok', integrity, manifest, counts };
}

/**
 * Puts a backup's files back as the SQLite store `file` (stop the server first). Files of the store already there
 * (and their logs) are replaced only with `force`: the caller decides whether the data directory may be
 * overwritten.
 */
export function restoreSqlite(dir: string, file: string): BackupManifest {
  const manifest = readManifest(dir);
  const [eventsCopy, callsCopy] = copiesOf(dir, manifest);
  mkdirSync(path.dirname(file), { recursive: true });
  // A log left beside a replaced file would be replayed into the restored copy.
  for (const target of [file, callsFileOf(file)])
    for (const suffix of ['', '-wal', '-shm']) rmSync(target + suffix, { force: true });
  copyFileSync(callsCopy, callsFileOf(file));
  copyFileSync(eventsCopy, file);
  return manifest;
}

/** The paths of a backup's copies (events', calls'); throws when one is missing. */
function copiesOf(dir: string, manifest: BackupManifest): [string, string] {
  const copies: [string, string] = [
    path.join(dir, manifest.files.events),
    path.join(dir, manifest.files.calls),
  ];
  for (const copy of copies) if (!existsSync(copy)) throw new Error(`The backup lacks ${copy}.`);
  return copies;
}
