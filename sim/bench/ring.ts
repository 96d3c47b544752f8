// Consistent hash ring (issue 3): lookups per second of the native and ketama
// rings against the npm `hashring` package (the baseline, same process, same
// keys), load spread over 10 servers and 1,000,000 keys, bounded loads at
// c = 1.25, and the keys that move when an 11th server joins (ideal 1/11).

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { loadSpread, type LoadSpread } from '../protocols/ring/analysis.ts';
import { BoundedLoadRing } from '../protocols/ring/bounded.ts';
import { HashRing, type RingOptions } from '../protocols/ring/ring.ts';
import { positiveInt, type BenchCase } from './case.ts';

interface NpmHashRing {
  get(key: string): string;
}
type NpmHashRingCtor = new (servers: string[] | Record<string, number>) => NpmHashRing;
/** The baseline, loaded when the case runs: `hashring` is a development dependency, absent from an installed faultline. */
function npmHashRing(): NpmHashRingCtor {
  try {
    return createRequire(import.meta.url)('hashring') as NpmHashRingCtor;
  } catch {
    throw new RangeError('faultline bench ring needs the npm package hashring (its baseline, a dev dependency): run npm install hashring');
  }
}

const SERVERS = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}:11211`);

/**
 * Time `passes` passes of `lookup` over every key and keep the best rate (the
 * machine is shared: the best pass is the least disturbed one); returns the
 * owners of the last pass.
 */
function timed(keys: readonly string[], lookup: (k: string) => string, passes = 2): { owners: string[]; rate: number } {
  let owners: string[] = [];
  let best = 0;
  for (let p = 0; p < passes; p++) {
    owners = new Array<string>(keys.length);
    const t0 = performance.now();
    for (let i = 0; i < keys.length; i++) owners[i] = lookup(keys[i]!);
    const s = (performance.now() - t0) / 1000;
    best = Math.max(best, Math.round(keys.length / s));
  }
  return { owners, rate: best };
}

function spread(owners: readonly string[], members = SERVERS): { stddev: number; max_over_mean: number } {
  const s: LoadSpread = loadSpread(members, owners);
  return { stddev: Math.round(s.stddev), max_over_mean: +s.maxOverMean.toFixed(4) };
}

function movedOnJoin(keys: readonly string[], before: readonly string[], opts: RingOptions): { fraction: number; to_other_than_new: number } {
  const grown = new HashRing([...SERVERS, '10.0.0.11:11211'], opts);
  let moved = 0;
  let elsewhere = 0;
  for (let i = 0; i < keys.length; i++) {
    const o = grown.lookup(keys[i]!);
    if (o !== before[i]) {
      moved++;
      if (o !== '10.0.0.11:11211') elsewhere++;
    }
  }
  return { fraction: +(moved / keys.length).toFixed(4), to_other_than_new: elsewhere };
}

export const ringBench: BenchCase = {
  name: 'ring',
  description: 'hash ring: lookups/s of native and ketama vs npm hashring (10 servers, 1M keys), load spread, bounded loads c=1.25, keys moved on a join',
  run(opts) {
    const n = positiveInt(opts.keys, 'keys', 1_000_000);
    const keys = Array.from({ length: n }, (_, i) => `key:${i}`);
    const npm = new (npmHashRing())(SERVERS);
    const native = new HashRing(SERVERS, { mode: 'native' });
    const classic = new HashRing(SERVERS, { mode: 'native', probes: 1 });
    const ketama = new HashRing(SERVERS, { mode: 'ketama' });
    const jump = new HashRing(SERVERS, { mode: 'jump' });

    // Warm up each path on a slice, then time full passes (best of 2), baseline first.
    const warm = keys.slice(0, 20_000);
    for (const k of warm) {
      npm.get(k);
      native.lookup(k);
      ketama.lookup(k);
      classic.lookup(k);
      jump.lookup(k);
    }
    const base = timed(keys, (k) => npm.get(k));
    const nat = timed(keys, (k) => native.lookup(k));
    const cls = timed(keys, (k) => classic.lookup(k));
    const ket = timed(keys, (k) => ketama.lookup(k));
    const jmp = timed(keys, (k) => jump.lookup(k));
    let agree = 0;
    for (let i = 0; i < n; i++) if (ket.owners[i] === base.owners[i]) agree++;

    // Bounded loads on the native ring, and on the 1-probe ring whose plain spread is worse (there the bound binds).
    const bounded = new BoundedLoadRing(native, 1.25);
    const t0 = performance.now();
    const bOwners = keys.map((k) => bounded.assign(k));
    const bRate = Math.round(n / ((performance.now() - t0) / 1000));
    const bounded1 = new BoundedLoadRing(classic, 1.25);
    const b1Owners = keys.map((k) => bounded1.assign(k));
    const tight = new BoundedLoadRing(classic, 1.1);
    const tightOwners = keys.map((k) => tight.assign(k));

    return {
      keys: n,
      servers: SERVERS.length,
      points_per_server: native.pointCount / SERVERS.length,
      hashring_lookups_per_s: base.rate,
      native_lookups_per_s: nat.rate,
      native_vs_hashring: +(nat.rate / base.rate).toFixed(2),
      native_1probe_lookups_per_s: cls.rate,
      native_1probe_vs_hashring: +(cls.rate / base.rate).toFixed(2),
      ketama_lookups_per_s: ket.rate,
      ketama_vs_hashring: +(ket.rate / base.rate).toFixed(2),
      ketama_agrees_with_hashring: `${agree}/${n}`,
      jump_lookups_per_s: jmp.rate,
      spread_native: spread(nat.owners),
      spread_native_1probe: spread(cls.owners),
      spread_ketama: spread(ket.owners),
      spread_jump: spread(jmp.owners),
      spread_bounded_c1_25: { ...spread(bOwners), capacity: bounded.capacity(n), assigns_per_s: bRate },
      spread_bounded_c1_25_1probe: { ...spread(b1Owners), capacity: bounded1.capacity(n) },
      spread_bounded_c1_1_1probe: { ...spread(tightOwners), capacity: tight.capacity(n) },
      moved_on_join_ideal: +(1 / 11).toFixed(4),
      moved_on_join_native: movedOnJoin(keys, nat.owners, { mode: 'native' }),
      moved_on_join_native_1probe: movedOnJoin(keys, cls.owners, { mode: 'native', probes: 1 }),
      moved_on_join_ketama: movedOnJoin(keys, ket.owners, { mode: 'ketama' }),
      moved_on_join_jump: movedOnJoin(keys, jmp.owners, { mode: 'jump' }),
    };
  },
};
