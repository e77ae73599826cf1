import { describe, expect, it } from 'vitest';

import { readMachineTicks, readProcessTicks } from './cpu.js';

describe('readMachineTicks', () => {
  it('counts iowait as idle and steal as busy', () => {
    const stat = 'cpu  200 5 30 400 10 1 2 7 0 0\ncpu0 100 2 15 200 5 0 1 3 0 0\n';
    expect(readMachineTicks(stat)).toEqual({ busy: 245, total: 655 });
  });
});

describe('readProcessTicks', () => {
  it('reads this process, and null for a process that is gone', () => {
    expect(readProcessTicks(process.pid)).toBeGreaterThanOrEqual(0);
    expect(readProcessTicks(2 ** 22 + 1)).toBeNull();
  });
});
