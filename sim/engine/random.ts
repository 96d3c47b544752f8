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
  /**
   * Re-fork every stream of this one's family (the root it was forked from and every fork of that
   * root, made before or after) with `salt`: from now on each stream draws from a fresh stream keyed
   * by its name and every salt so far, in order. A stream forked after a reseed draws exactly what it
   * would have drawn had it been forked before (laziness still changes no draw). What was drawn
   * before is untouched, so a run reseeded at time t is the same run up to t (the timeline's
   * `reseed` entry: branching a run from a state it reached).
   */
  reseed(salt: string): void;
}

/** What the streams forked from one root share: the salts of the reseeds so far. */
interface Family {
  /** Number of reseeds so far (0: never reseeded). */
  epoch: number;
  /** Every salt so far, in order, as one key suffix. */
  salts: string;
}

export function seedToString(seed: string | number): string {
  return typeof seed === 'number' ? String(seed) : seed;
}

class AleaRng implements Rng {
  private gen: () => number;
  /** The family epoch `gen` was keyed for: behind the family's after a reseed, so the next draw re-keys it. */
  private epoch: number;
  constructor(
    private readonly key: string,
    private readonly family: Family,
  ) {
    this.epoch = family.epoch;
    this.gen = seedrandom.alea(family.epoch === 0 ? key : `${key}#${family.salts}`, { state: true }); // state(): sim/explore snapshots copy the position
  }
  private draw(): number {
    if (this.epoch !== this.family.epoch) {
      this.epoch = this.family.epoch;
      this.gen = seedrandom.alea(`${this.key}#${this.family.salts}`, { state: true });
    }
    return this.gen();
  }
  next(): number {
    return this.draw();
  }
  int(lo: number, hi: number): number {
    if (!(hi > lo)) throw new RangeError(`Rng.int: empty range [${lo}, ${hi})`);
    return lo + Math.floor(this.draw() * (hi - lo));
  }
  chance(p: number): boolean {
    // Draw even when p is 0 or 1 would waste nothing but keeps the stream's
    // position independent of the probability: shrinking a loss rate to 0
    // then does not shift every later draw.
    return this.draw() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: no items');
    return items[Math.floor(this.draw() * items.length)] as T;
  }
  fork(name: string): Rng {
    return new AleaRng(`${this.key}/${name}`, this.family);
  }
  reseed(salt: string): void {
    this.family.epoch++;
    this.family.salts += `/${this.family.epoch}:${salt}`;
  }
}

/** The root of all randomness of one run. */
export function rootRng(seed: string | number): Rng {
  return new AleaRng(`faultline:${seedToString(seed)}`, { epoch: 0, salts: '' });
}
