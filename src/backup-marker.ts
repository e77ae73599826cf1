import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where `telehook backup` notes its last good backup, in the data directory. */
export const BACKUP_MARKER_FILE = 'last-backup.json';

/** The last backup `telehook backup` made of a data directory (and verified as it wrote it). */
export interface LastBackup {
  /** When its snapshot was taken, epoch ms. */
  readonly takenAt: number;
  /** Where it was written (absolute). */
  readonly path: string;
}

/**
 * The last backup of a data directory, or null when none was made (or the note is unreadable): what /metrics
 * shows as the backup's age, so that an operator is paged when backups stop.
 *
 * @example
 * const last = readLastBackup(config.dataDir); // age: (Date.now() - last.takenAt) / 1000
 */
export function readLastBackup(dataDir: string): LastBackup | null {
  const file = path.join(dataDir, BACKUP_MARKER_FILE);
  if (!existsSync(file)) return null;
  try {
    const note = JSON.parse(readFileSync(file, 'utf8')) as Partial<LastBackup>;
    if (typeof note.takenAt !== 'number' || typeof note.path !== 'string') return null;
    return { takenAt: note.takenAt, path: note.path };
  } catch {
    return null;
  }
}

/** Notes a finished backup (written whole, then renamed: a reader never sees half a note). */
export function writeLastBackup(dataDir: string, backup: LastBackup): void {
  const file = path.join(dataDir, BACKUP_MARKER_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(backup)}\n`);
  renameSync(`${file}.tmp`, file);
}
