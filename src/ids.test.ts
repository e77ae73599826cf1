import { isValid } from 'ulidx';
import { describe, expect, it } from 'vitest';

import { createIdFactory } from './ids.js';

describe('createIdFactory', () => {
  it('makes valid ULIDs that sort in the order they were made, all different', () => {
    const next = createIdFactory();
    const ids = Array.from({ length: 20_000 }, () => next());
    expect(ids.every((id) => isValid(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('spreads the random part over the whole base32 alphabet', () => {
    const next = createIdFactory();
    const counts = new Map<string, number>();
    // The first id of each factory has a fresh random part (later ones in the same ms are increments).
    for (let index = 0; index < 2000; index += 1) {
      const random = createIdFactory()().slice(10);
      for (const char of random) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    expect(next()).toHaveLength(26);
    expect(counts.size).toBe(32);
    const values = [...counts.values()];
    // 32,000 characters over 32 symbols: about 1,000 each; a biased pick would leave some far off.
    expect(Math.min(...values)).toBeGreaterThan(800);
    expect(Math.max(...values)).toBeLessThan(1200);
  });
});
