import { mkdirSync } from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { openFailure } from './driver-errors.js';
import { CALLS_MIGRATIONS_DIR, loadMigrations, migrate } from './migrate.js';

/** The calls' database file, next to the events': `telehook.db` → `telehook-calls.db`. */
export function callsFileOf(file: string): string {
  const extension = path.extname(file);
  return `${file.slice(0, file.length - extension.length)}-calls${extension || '.db'}`;
}

/** What opens a connection: better-sqlite3's Database, or a subclass of it. */
export type SqliteDriver = new (file: string) => Database.Database;

/** The four connections of a SQLite store (see createSqliteStore for what each is for). */
export interface Connections {
  readonly db: Database.Database;
  readonly callsDb: Database.Database;
  readonly queueDb: Database.Database;
  readonly readDb: Database.Database;
  readonly callsFile: string;
}

/**
 * Opens and migrates the events' and the calls' files. If that fails (a full or read-only disk), what was opened
 * is closed and the error says what to do (openFailure): a start on a full disk explains itself.
 */
export function openConnections(
  file: string,
  busyTimeoutMs: number,
  driver: SqliteDriver = Database,
): Connections {
  const opened: Database.Database[] = [];
  const open = (
    name: string,
    synchronous: 'FULL' | 'NORMAL',
    attach?: { file: string; as: string },
  ): Database.Database => {
    const connection = new driver(name);
    opened.push(connection);
    connection.pragma('journal_mode = WAL');
    connection.pragma(`synchronous = ${synchronous}`);
    connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
    connection.pragma('foreign_keys = ON');
    // A checkpoint (copying the log's pages into the database file) every 8,000 pages instead of SQLite's 1,000: a
    // page that several commits change between two checkpoints is copied once. Under load every event changes
    // about 8 pages (its indexes and its call's), and checkpoints were about 40% of the writer's time; at 8,000
    // the benchmark gained a quarter (bench/README.md). The log file is cut back to 64 MiB after a checkpoint.
    connection.pragma('wal_autocheckpoint = 8000');
    connection.pragma('journal_size_limit = 67108864');
    if (attach) connection.prepare('ATTACH DATABASE ? AS ' + attach.as).run(attach.file);
    return connection;
  };
  const callsFile = callsFileOf(file);
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // Events are acknowledged after their commit: that connection fsyncs every commit (FULL).
    const db = open(file, 'FULL');
    migrate(db);
    // The calls live in a file of their own: folding holds that file's write lock, never the events'. They are
    // derived from the events and rebuilt from them if lost, so their commits do not wait for an fsync (NORMAL); in
    // WAL mode a commit is still atomic, and the calls and the projection position commit together, so after a
    // power loss the projection resumes from a consistent point. The fold reads the events through an attachment.
    const callsDb = open(callsFile, 'NORMAL', { file, as: 'events_file' });
    migrate(callsDb, loadMigrations(CALLS_MIGRATIONS_DIR));
    // The delivery queue (rebuilt from the events if lost): NORMAL, on the events' file, without the calls attached
    // (a write transaction would otherwise lock both files).
    const queueDb = open(file, 'NORMAL');
    // Reads: the events' file with the calls' attached; table names resolve in either.
    const readDb = open(file, 'NORMAL', { file: callsFile, as: 'calls_file' });
    return { db, callsDb, queueDb, readDb, callsFile };
  } catch (error) {
    for (const connection of opened.reverse()) {
      try {
        connection.close();
      } catch {
        // Closing what a failed start opened: the start's own error is the one to report.
      }
    }
    throw openFailure(error, file);
  }
}
