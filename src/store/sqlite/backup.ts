import path from 'node:path';

import Database from 'better-sqlite3';

import { callsFileOf } from './connections.js';

/** What a SQLite store's files hold, counted in one snapshot. */
export interface BackupCounts {
  readonly events: number;
  readonly calls: number;
  readonly deliveries: number;
  readonly quarantine: number;
}

/** The copies of a snapshot, by role: file names in the backup directory. */
export interface SnapshotFiles {
  readonly events: string;
  readonly calls: string;
}

function countAll(db: Database.Database): BackupCounts {
  const count = (table: string): number =>
    (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  // The calls first: see snapshotSqlite.
  const calls = count('calls_file.calls');
  return {
    events: count('main.events'),
    calls,
    deliveries: count('main.deliveries'),
    quarantine: count('main.quarantine'),
  };
}

/**
 * Copies the events' and the calls' files of a live SQLite store into the existing directory `dir` with SQLite's
 * online backup, while the server goes on writing, and counts what the copies hold. One read transaction spans
 * both copies, so each file is copied as of one instant (WAL: the writers are not held up, and the copy never
 * restarts).
 *
 * The calls' file is read first: its snapshot is then no later than the events', so the copied projection
 * position never passes the copied events. Were it the other way, a restored store would take events stored
 * later (under the same sequence numbers) as folded already.
 */
export async function snapshotSqlite(
  file: string,
  dir: string,
): Promise<{ files: SnapshotFiles; counts: BackupCounts }> {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('ATTACH DATABASE ? AS calls_file').run(callsFileOf(file));
    db.exec('BEGIN');
    const counts = countAll(db);
    const files = { events: path.basename(file), calls: path.basename(callsFileOf(file)) };
    // Steps of 100 pages on this connection, which holds the snapshot open between steps.
    // better-sqlite3 takes `attached` (the schema to copy), which its type definitions leave out.
    await db.backup(path.join(dir, files.calls), {
      attached: 'calls_file',
    } as unknown as Database.BackupOptions);
    await db.backup(path.join(dir, files.events));
    db.exec('COMMIT');
    return { files, counts };
  } finally {
    db.close();
  }
}

/**
 * Opens the copies of a snapshot read-only, checks their pages (`PRAGMA quick_check`: `ok`, or what is wrong)
 * and counts what they hold.
 */
export function inspectSqliteCopy(
  eventsFile: string,
  callsFile: string,
): { integrity: string; counts: BackupCounts } {
  const db = new Database(eventsFile, { readonly: true, fileMustExist: true });
  try {
    db.prepare('ATTACH DATABASE ? AS calls_file').run(callsFile);
    const checks = [
      ...(db.pragma('main.quick_check') as { quick_check: string }[]),
      ...(db.pragma('calls_file.quick_check') as { quick_check: string }[]),
    ].map((row) => row.quick_check);
    const integrity = checks.every((check) => check === 'ok') ? 'ok' : checks.join('; ');
    return { integrity, counts: countAll(db) };
  } finally {
    db.close();
  }
}
