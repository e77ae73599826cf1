import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { onTestFinished } from 'vitest';

import type { SqliteDriver } from '../../src/store/sqlite/connections.js';
import { tempDir } from './temp-dir.js';

/**
 * A data directory whose disk can be filled and freed again while telehook runs on it: a size-limited tmpfs when
 * this machine lets the tests mount one (they run as root in CI), else a fault injected at the driver seam (a
 * better-sqlite3 subclass whose connections are capped with `max_page_count`, so that SQLite itself fails the
 * write with SQLITE_FULL). Either way the store sees a real SQLite error; nothing of telehook is mocked.
 */
export interface DiskFaults {
  readonly kind: 'filesystem' | 'driver';
  readonly dir: string;
  /** Pass to createSqliteStore: undefined on a real file system. */
  readonly driver: SqliteDriver | undefined;
  /** Leaves no free space. */
  fill(): void;
  /** Frees the space fill() took. */
  free(): void;
  /** Makes the database read-only (driver only: a mounted file system in use cannot be remounted read-only). */
  readOnly?(): void;
  writable?(): void;
}

let isMountPermitted: boolean | undefined;

/** Whether this process may mount a tmpfs (root on Linux). Callable outside a test (e.g. in describe.runIf). */
export function canMount(): boolean {
  if (isMountPermitted !== undefined) return isMountPermitted;
  const dir = mkdtempSync(path.join(tmpdir(), 'telehook-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    isMountPermitted = true;
  } catch {
    isMountPermitted = false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return isMountPermitted;
}

/** A new tmpfs of `sizeMiB` on a temporary directory, unmounted when the test ends (after what it holds closed). */
export function mountTmpfs(sizeMiB: number): string {
  const dir = tempDir('telehook-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  // Registered first, so it runs after the test's own clean-up (hooks run last registered first).
  onTestFinished(() => {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  });
  return dir;
}

/** Fills the file system of `dir` with a file of zeros until it has no free space; returns the file. */
export function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = openSync(filler, 'a');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      const { bavail, bsize } = statfsSync(dir);
      if (bavail === 0) break;
      try {
        writeSync(fd, chunk, 0, Math.min(chunk.length, bavail * bsize));
      } catch {
        break;
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

/** Disk faults on a tmpfs when mounting is permitted, else at the driver seam. */
export function diskFaults(options: { preferDriver?: boolean } = {}): DiskFaults {
  if (!options.preferDriver && canMount()) {
    const dir = mountTmpfs(16);
    let filler: string | null = null;
    return {
      kind: 'filesystem',
      dir,
      driver: undefined,
      fill: () => void (filler = fillDisk(dir)),
      free: () => {
        if (filler) rmSync(filler, { force: true });
        filler = null;
      },
    };
  }
  const connections: Database.Database[] = [];
  class CappedDatabase extends Database {
    constructor(file: string) {
      super(file);
      connections.push(this);
    }
  }
  const cap = (pages: (connection: Database.Database) => number): void => {
    for (const connection of connections)
      if (connection.open) connection.pragma(`max_page_count = ${pages(connection)}`);
  };
  return {
    kind: 'driver',
    dir: tempDir(),
    driver: CappedDatabase,
    // No page beyond those the files have now: the next write that needs one fails with SQLITE_FULL.
    fill: () => cap((connection) => connection.pragma('page_count', { simple: true }) as number),
    free: () => cap(() => 1_073_741_823),
    // SQLite then refuses every write with SQLITE_READONLY, as it does on a read-only file.
    readOnly: () => {
      for (const connection of connections) if (connection.open) connection.pragma('query_only = 1');
    },
    writable: () => {
      for (const connection of connections) if (connection.open) connection.pragma('query_only = 0');
    },
  };
}
