/**
 * A small seeded pseudo-random number generator, so that a scenario or a simulation played twice with the same
 * seed sends the same payloads. sfc32 (Chris Doty-Humphrey's Small Fast Counter) passes PractRand and is a few
 * lines; its four words of state are filled from the seed by splitmix32, so nearby seeds give unrelated streams.
 * Not for secrets: these ids only have to look like TeleCMI's and not collide within a run.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number;
  /** true with probability `p`. */
  chance(p: number): boolean;
  /** A sample of an exponential distribution with the given mean (a Poisson process's gaps, talk times). */
  exponential(mean: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A copy of `items` in a random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /**
   * An independent generator derived from this one's seed and `label`, whatever has been drawn so far: a
   * consumer of one stream (say, the ids) can change without changing another (the simulated call times).
   */
  fork(label: string): Prng;
}

/**
 * A generator for `seed` (any finite number; only its integer part's low 32 bits and sign matter).
 *
 * @example
 * const rng = createPrng(7);
 * rng.int(1, 6); // the same roll every time for seed 7
 */
export function createPrng(seed: number): Prng {
  return fromSeed(Math.trunc(seed) | 0);
}

function fromSeed(seed: number): Prng {
  const mix = splitmix32(seed);
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first outputs of a freshly seeded sfc32 are the least mixed: its authors discard a dozen.
  for (let i = 0; i < 12; i += 1) nextUint32();

  const next = (): number => nextUint32() / 2 ** 32;
  const prng: Prng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    exponential: (mean) => -mean * Math.log(1 - next()),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick() needs at least one item');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    shuffle: (items) => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i -= 1) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j] as (typeof copy)[number], copy[i] as (typeof copy)[number]];
      }
      return copy;
    },
    fork: (label) => fromSeed(seed ^ hashLabel(label)),
  };
  return prng;
}

/** splitmix32: spreads one 32-bit seed over a sequence of well-mixed words. */
function splitmix32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over the label's UTF-16 code units: a stable 32-bit number per label. */
function hashLabel(label: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i += 1) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
  return hash | 0;
}
