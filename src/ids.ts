import { randomFillSync } from 'node:crypto';

import { monotonicFactory } from 'ulidx';

/** Random bytes drawn from the OS in blocks, handed out one at a time. */
const POOL_BYTES = 4096;

/**
 * A PRNG for ulidx from a pool of crypto-random bytes: ulidx's default asks the OS for one byte per character
 * (16 calls per id), which showed as 3–4 % of the CPU at full ingest load (bench/README.md, "Find the cost").
 * Each value takes the low 5 bits of a byte, so the base32 character it picks is exactly uniform.
 */
function pooledRandom(): () => number {
  const pool = Buffer.allocUnsafe(POOL_BYTES);
  let next = POOL_BYTES;
  return () => {
    if (next === POOL_BYTES) {
      randomFillSync(pool);
      next = 0;
    }
    const byte = pool[next++] as number;
    return (byte & 31) / 32;
  };
}

/** Makes ids that sort in the order they were made, within one process: ULIDs, monotonic within a millisecond. */
export function createIdFactory(): () => string {
  const next = monotonicFactory(pooledRandom());
  return () => next();
}
