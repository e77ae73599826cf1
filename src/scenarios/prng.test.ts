import { describe, expect, it } from 'vitest';

import { createDigits, createPhoneNumber, createRequestId, createUuid } from './identifiers.js';
import { createPrng } from './prng.js';

const draw = (seed: number, count = 5): number[] => {
  const rng = createPrng(seed);
  return Array.from({ length: count }, () => rng.next());
};

describe('createPrng', () => {
  it('gives the same numbers for the same seed and others for another seed', () => {
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(0)).not.toEqual(draw(-1));
  });

  it('draws floats in [0, 1) and integers within their bounds, both ends reachable', () => {
    const rng = createPrng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i += 1) {
      const value = rng.next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      seen.add(rng.int(2, 8));
    }
    expect([...seen].sort()).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it('draws exponential samples with the mean asked for', () => {
    const rng = createPrng(3);
    const samples = Array.from({ length: 20_000 }, () => rng.exponential(60));
    const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
    expect(mean).toBeGreaterThan(57);
    expect(mean).toBeLessThan(63);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
  });

  it('forks streams that depend on the seed and the label, not on what was drawn before', () => {
    const a = createPrng(5);
    const b = createPrng(5);
    b.next();
    b.next();
    expect(a.fork('ids').next()).toBe(b.fork('ids').next());
    expect(a.fork('ids').next()).not.toBe(a.fork('timing').next());
    expect(createPrng(5).fork('ids').next()).not.toBe(createPrng(6).fork('ids').next());
  });

  it('shuffles into a permutation of the items', () => {
    const items = Array.from({ length: 20 }, (_, index) => index);
    const shuffled = createPrng(9).shuffle(items);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
  });
});

describe('identifiers', () => {
  it('makes UUID v4s, 43-character base62 request ids, digits and phone numbers', () => {
    const rng = createPrng(11);
    const uuids = new Set(Array.from({ length: 500 }, () => createUuid(rng)));
    expect(uuids.size).toBe(500);
    for (const uuid of uuids)
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(createRequestId(rng)).toMatch(/^[0-9A-Za-z]{43}$/);
    expect(createDigits(rng, 9)).toMatch(/^\d{9}$/);
    const phone = createPhoneNumber(rng, { prefix: '447', length: 12 });
    expect(phone).toMatch(/^447[1-9]\d{8}$/);
    expect(String(Number(phone))).toBe(phone);
  });
});
