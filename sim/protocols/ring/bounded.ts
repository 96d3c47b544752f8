// Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam,
// SODA 2018), on top of a native or ketama ring. With capacity factor c and m
// keys placed on n members, no member holds more than ceil(c * m / n) keys: a
// key goes to the first member clockwise from its position that is below
// capacity (section 2, "the ball is placed in the first non-full bin").
// Capacity follows the current key count, as in the paper's dynamic setting.

import { assert, getOrFail } from '../../engine/assert.ts';
import type { HashRing } from './ring.ts';

export class BoundedLoadRing {
  private readonly loads: Map<string, number>;
  private readonly placed = new Map<string, string>();

  constructor(
    readonly ring: HashRing,
    readonly c: number,
  ) {
    if (ring.mode === 'jump') throw new RangeError('bounded loads need a ring with points (native or ketama)');
    if (!(c >= 1)) throw new RangeError(`capacity factor c must be >= 1 (got ${c})`);
    if (ring.size === 0) throw new RangeError('bounded loads need a non-empty ring');
    this.loads = new Map(ring.members.map((m) => [m.id, 0]));
  }

  /** Keys placed so far. */
  get count(): number {
    return this.placed.size;
  }

  /** ceil(c * m / n) for m keys, m counting the one being placed. */
  capacity(m = this.placed.size): number {
    return Math.ceil((this.c * m) / this.ring.size);
  }

  load(id: string): number {
    return this.loads.get(id) ?? 0;
  }

  /** Where a key is placed, if it is. */
  owner(key: string): string | undefined {
    return this.placed.get(key);
  }

  /** Place a key (idempotent): the first member clockwise from it with room. */
  assign(key: string): string {
    const known = this.placed.get(key);
    if (known !== undefined) return known;
    const cap = this.capacity(this.placed.size + 1);
    const first = this.ring.lookup(key);
    const candidates = getOrFail(this.loads, first, 'bounded loads') < cap ? [first] : this.ring.preferenceList(key, this.ring.size);
    // Walk the members in clockwise order from the key; at c >= 1 some member has room.
    for (const id of candidates) {
      const l = getOrFail(this.loads, id, 'bounded loads');
      if (l < cap) {
        this.loads.set(id, l + 1);
        this.placed.set(key, id);
        return id;
      }
    }
    assert(false, `bounded loads: no member below capacity ${cap} for "${key}"`);
  }

  /** Remove a placed key (its member gets the room back). */
  release(key: string): void {
    const id = this.placed.get(key);
    if (id === undefined) return;
    this.placed.delete(key);
    this.loads.set(id, getOrFail(this.loads, id, 'bounded loads') - 1);
  }
}
