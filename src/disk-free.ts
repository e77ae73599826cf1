import { statfsSync } from 'node:fs';

/**
 * Bytes free to this process on the file system of `dir`, or null when it cannot be read (not created yet).
 * root may also write to the blocks a file system reserves for it, so root counts those too.
 */
export function freeBytes(dir: string): number | null {
  try {
    const stats = statfsSync(dir);
    return (process.getuid?.() === 0 ? stats.bfree : stats.bavail) * stats.bsize;
  } catch {
    return null;
  }
}
