import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { onTestFinished } from 'vitest';

/**
 * A new temporary directory for one test, removed when the test passes and kept (its path printed) when it
 * fails, so that a failing test's database can be inspected.
 */
export function tempDir(prefix = 'telehook-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  onTestFinished((context) => {
    if (context.task.result?.state === 'fail') console.error(`kept ${dir} for inspection`);
    else rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
