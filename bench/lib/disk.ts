import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { percentile } from './stats.js';

/** What a durable commit waits for, measured on its own. */
export interface SyncProbe {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * Times `count` rounds of "write 4 KiB, fdatasync" in a temporary file next to the databases: what one commit of
 * the durable targets waits for at least. On a shared virtual disk it moves a lot with the neighbours' I/O.
 */
export function probeSync(count = 50, dir: string = tmpdir()): SyncProbe {
  const probeDir = mkdtempSync(path.join(dir, 'telehook-bench-sync-'));
  const fd = openSync(path.join(probeDir, 'probe'), 'w');
  const page = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const started = performance.now();
      writeSync(fd, page, 0, page.length, (index % 16) * page.length);
      fdatasyncSync(fd);
      times.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
    rmSync(probeDir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
}
