// Seeded randomness. One seed; named streams are forked from it by name, so
// adding a node, a link or a fault never changes the draws of another stream.
// seedrandom's alea generator: fast, and identical in Node and the browser.

import seedrandom from 'seedrandom';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi). */
  int(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A new independent stream derived from this one's seed and a name. */
  fork(name: string): Rng;
}

export function seedToString(seed: string | number): string {
  return typeof seed === 'number' ? String(seed) : seed;
}

class AleaRng implements Rng {
  private readonly gen: () => number;
  constructor(private readonly key: string) {
    this.gen = seedrandom.alea(key);
  }
  next(): number {
    return this.gen();
  }
  int(lo: number, hi: number): number {
    if (!(hi > lo)) throw new RangeError(`Rng.int: empty range [${lo}, ${hi})`);
    return lo + Math.floor(this.gen() * (hi - lo));
  }
  chance(p: number): boolean {
    // Draw even when p is 0 or 1 would waste nothing but keeps the stream's
    // position independent of the probability: shrinking a loss rate to 0
    // then does not shift every later draw.
    return this.gen() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: no items');
    return items[Math.floor(this.gen() * items.length)] as T;
  }
  fork(name: string): Rng {
    return new AleaRng(`${this.key}/${name}`);
  }
}

/** The root of all randomness of one run. */
export function rootRng(seed: string | number): Rng {
  return new AleaRng(`faultline:${seedToString(seed)}`);
}
