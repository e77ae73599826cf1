import path from 'node:path';

import Database from 'better-sqlite3';

import { freeBytes } from '../../disk-free.js';
import { coerceError, StoreError } from '../../errors.js';

/** SQLite result codes after which the same write may succeed later. */
const RETRYABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|PROTOCOL|NOMEM)/;
/** Result codes by which SQLite refuses a value of the write itself: the same write fails again. */
const DATA_ERROR = /^SQLITE_(TOOBIG|MISMATCH|CONSTRAINT|RANGE)/;

/** What a result code means for whoever runs telehook, and what to do about it. */
function explain(code: string, dir: string): { what: string; fix: string } {
  const free = freeBytes(dir);
  // SHMSIZE: the shared-memory index of the write-ahead log could not grow, which on Linux means no space.
  if (
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_IOERR_SHMSIZE' ||
    (code.startsWith('SQLITE_IOERR') && free === 0)
  )
    return {
      what: `the disk is full, ${free ?? 'an unknown number of'} bytes free in ${dir}`,
      fix: `free space in ${dir}`,
    };
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN'))
    return {
      what: `the database or its directory ${dir} is read-only or cannot be opened`,
      fix: `make ${dir} and its files writable`,
    };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return { what: 'another connection holds its lock', fix: 'wait, or stop the other process' };
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
    return { what: 'the database file is damaged', fix: 'restore it from a backup' };
  if (code.startsWith('SQLITE_IOERR'))
    return { what: `a disk I/O error in ${dir}`, fix: `check the disk of ${dir}` };
  return { what: 'SQLite refused the operation', fix: 'see the log' };
}

/** Whether an error comes from the SQLite driver (anything else thrown by a query is a bug in telehook). */
export function isDriverError(error: unknown): error is InstanceType<typeof Database.SqliteError> {
  return error instanceof Database.SqliteError;
}

/**
 * A SQLite driver error as a StoreError (503) that says what is wrong with which file; any other error is
 * returned unchanged (a bug stays a bug: a 500 whose stack is logged).
 */
export function toStoreError(error: unknown, file: string): Error {
  if (!isDriverError(error)) return coerceError(error);
  const { what, fix } = explain(error.code, path.dirname(path.resolve(file)));
  const retryable = RETRYABLE.test(error.code);
  return new StoreError(
    `The SQLite database ${file} is unavailable: ${what} (${error.code}: ${error.message}). ${
      retryable
        ? `To recover, ${fix}; telehook carries on by itself, without a restart.`
        : `To recover, ${fix}.`
    }`,
    { cause: error, retryable, isDataError: DATA_ERROR.test(error.code) },
  );
}

/** A StoreError when the disk of the database has no free space left, else null. */
export function diskFullError(file: string): StoreError | null {
  const dir = path.dirname(path.resolve(file));
  if (freeBytes(dir) !== 0) return null;
  const { what, fix } = explain('SQLITE_FULL', dir);
  return new StoreError(`The SQLite database ${file} cannot be written: ${what}. To recover, ${fix}.`, {
    retryable: true,
  });
}

/**
 * Why the database could not be opened, as a StoreError whose message says what to do: start-up prints it and
 * exits without a stack. The write-ahead log holds every acknowledged event that the database file does not
 * have yet, and it is replayed when the database opens again.
 */
export function openFailure(error: unknown, file: string): Error {
  const dir = path.dirname(path.resolve(file));
  const system = error as { code?: unknown; syscall?: unknown; message?: unknown };
  if (!isDriverError(error)) {
    // The data directory itself could not be made (read-only, no space, no permission).
    if (typeof system.code !== 'string' || typeof system.syscall !== 'string') return coerceError(error);
    return new StoreError(
      `Cannot open the SQLite database ${file}: ${String(system.message)}. To recover, make ${dir} writable ` +
        '(with free space), then start telehook again.',
      { cause: error, retryable: true },
    );
  }
  const { what, fix } = explain(error.code, dir);
  return new StoreError(
    `Cannot open the SQLite database ${file}: ${what} (${error.code}: ${error.message}). To recover, ${fix}, then ` +
      `start telehook again: the write-ahead log (${path.basename(file)}-wal) is replayed, so no acknowledged event ` +
      'is lost.',
    { cause: error, retryable: RETRYABLE.test(error.code) },
  );
}
