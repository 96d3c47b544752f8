// Checkers of the ring cluster. They read the durable disks (what survives a
// crash) and the client history, never a node's volatile state.
//
// - reads-see-acked-adds (always): a read returns every element whose add was
//   acknowledged before the read was invoked (preloaded elements count as
//   acknowledged at time 0).
// - acked-adds-durable (final): every acknowledged element is on the durable
//   disk of W members of its key's preference list under the final ring (all
//   of them with the default W = N) once settled; before that, on at least
//   one server.
// - migration-settles (final): the last planned membership change settled:
//   the coordinator heard handoff-done from every member and every server
//   runs the final ring.
// - placement (final, once settled): every key lives exactly on its
//   preference list: on each of its members, and nowhere else.

import { formatDurationExact, type Checker, type JsonValue, type SimView } from '../../api/index.ts';
import type { CoordinatorRecord } from './coordinator.ts';
import type { RingView } from './messages.ts';
import type { Placement } from './placement.ts';

export interface RingCheckContext {
  placement: Placement;
  /** W: an acknowledged add is on at least this many members of its preference list. */
  writeQuorum: number;
  servers: readonly string[];
  coordinator: string;
  preload: readonly string[];
  /** Changes planned; the run must give them time to settle. */
  plannedChanges: number;
}

function coordinatorRecord(view: SimView, id: string): CoordinatorRecord | undefined {
  return view.durable(id).get('meta/coordinator') as CoordinatorRecord | undefined;
}

function storedKeys(view: SimView, server: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of view.durable(server)) if (k.startsWith('k/')) out.set(k.slice(2), v as string[]);
  return out;
}

/** Why the cluster is not settled, or undefined if it is. */
function unsettled(view: SimView, ctx: RingCheckContext): string | undefined {
  const rec = coordinatorRecord(view, ctx.coordinator);
  if (!rec) return 'the coordinator has no record';
  if (rec.applied < ctx.plannedChanges) return `only ${rec.applied} of ${ctx.plannedChanges} membership changes started`;
  if (rec.phase !== 'settled') return `ring ${rec.ring.version} is still ${rec.phase}, waiting for ${rec.waiting.join(',')}`;
  for (const s of ctx.servers) {
    const ring = view.durable(s).get('meta/ring') as RingView | undefined;
    if (!ring || ring.version !== rec.ring.version) return `${s} runs ring ${ring?.version ?? 'none'}, not ${rec.ring.version}`;
  }
  return undefined;
}

export function ringCheckers(ctx: RingCheckContext): Checker[] {
  return [readsSeeAckedAdds(ctx), ackedAddsDurable(ctx), migrationSettles(ctx), placement(ctx)];
}

function readsSeeAckedAdds(ctx: RingCheckContext): Checker {
  let seen = 0;
  /** key -> element -> time its add was acknowledged. */
  const acked = new Map<string, Map<string, number>>();
  for (const k of ctx.preload) acked.set(k, new Map([[`init:${k}`, 0]]));
  const invoked = new Map<number, { f: string; key: string; value: JsonValue | undefined; t: number }>();
  return {
    name: 'reads-see-acked-adds',
    description: 'a read returns every element whose add was acknowledged before the read began',
    when: 'always',
    check(view) {
      const h = view.history;
      for (; seen < h.length; seen++) {
        const ev = h[seen]!;
        if (ev.type === 'invoke') {
          invoked.set(ev.op, { f: ev.f, key: ev.key ?? '', value: ev.value, t: ev.t });
          continue;
        }
        const call = invoked.get(ev.op);
        invoked.delete(ev.op);
        if (!call || ev.outcome !== 'ok') continue;
        if (call.f === 'add') {
          let m = acked.get(call.key);
          if (!m) acked.set(call.key, (m = new Map()));
          m.set(String(call.value), ev.t);
        } else if (call.f === 'read') {
          const got = new Set((ev.value as string[] | undefined) ?? []);
          for (const [element, t] of acked.get(call.key) ?? []) {
            if (t < call.t && !got.has(element)) {
              seen++;
              return `read of ${call.key} by ${ev.process} (op ${ev.op}, invoked at t=${formatDurationExact(call.t)}) misses ${element}, acknowledged at t=${formatDurationExact(t)}; it returned [${[...got].join(', ')}]`;
            }
          }
        }
      }
      return undefined;
    },
  };
}

function ackedElements(view: SimView, ctx: RingCheckContext): Map<string, string[]> {
  const out = new Map<string, string[]>(ctx.preload.map((k) => [k, [`init:${k}`]]));
  const calls = new Map<number, { key: string; value: string }>();
  for (const ev of view.history) {
    if (ev.type === 'invoke' && ev.f === 'add') calls.set(ev.op, { key: ev.key ?? '', value: String(ev.value) });
    else if (ev.type === 'return' && ev.outcome === 'ok') {
      const c = calls.get(ev.op);
      if (!c) continue;
      let l = out.get(c.key);
      if (!l) out.set(c.key, (l = []));
      l.push(c.value);
    }
  }
  return out;
}

function ackedAddsDurable(ctx: RingCheckContext): Checker {
  return {
    name: 'acked-adds-durable',
    description: 'every acknowledged add is durable on W members of its key\'s final preference list (on some server if not settled)',
    when: 'final',
    check(view) {
      const stores = new Map(ctx.servers.map((s) => [s, storedKeys(view, s)]));
      const rec = coordinatorRecord(view, ctx.coordinator);
      const settled = unsettled(view, ctx) === undefined && rec !== undefined;
      for (const [key, elements] of ackedElements(view, ctx)) {
        const holders = settled ? ctx.placement.preferenceList(rec.ring, key) : ctx.servers;
        for (const e of elements) {
          const on = holders.filter((s) => stores.get(s)?.get(key)?.includes(e) === true);
          const need = Math.min(ctx.writeQuorum, holders.length);
          if (settled && on.length < need) {
            const missing = holders.filter((s) => !on.includes(s));
            return `acknowledged ${e} of ${key} is on ${on.length} of the ${need} members it needs; missing on ${missing.join(',')} (preference list ${holders.join(',')} under ring ${rec.ring.version})`;
          }
          if (!settled && on.length === 0) return `acknowledged ${e} of ${key} is on no server's disk`;
        }
      }
      return undefined;
    },
  };
}

function migrationSettles(ctx: RingCheckContext): Checker {
  return {
    name: 'migration-settles',
    description: 'every planned membership change settled by the end of the run',
    when: 'final',
    check(view) {
      const why = unsettled(view, ctx);
      return why === undefined ? undefined : `not settled at the end: ${why}`;
    },
  };
}

function placement(ctx: RingCheckContext): Checker {
  let reached = false;
  return {
    name: 'placement',
    description: 'once settled, every key lives exactly on its preference list',
    when: 'final',
    judged: () => reached,
    check(view) {
      const rec = coordinatorRecord(view, ctx.coordinator);
      if (!rec || unsettled(view, ctx) !== undefined) return undefined; // migration-settles reports it
      reached = true;
      const stores = new Map(ctx.servers.map((s) => [s, storedKeys(view, s)]));
      const keys = new Set<string>(ctx.preload);
      for (const st of stores.values()) for (const k of st.keys()) keys.add(k);
      for (const key of [...keys].sort()) {
        const pl = ctx.placement.preferenceList(rec.ring, key);
        const on = ctx.servers.filter((s) => stores.get(s)?.has(key) === true);
        const missing = pl.filter((s) => !on.includes(s));
        const extra = on.filter((s) => !pl.includes(s));
        if (missing.length > 0 || extra.length > 0) {
          return `${key} is on [${on.join(',')}], its preference list under ring ${rec.ring.version} is [${pl.join(',')}]${missing.length ? `; missing on ${missing.join(',')}` : ''}${extra.length ? `; stray on ${extra.join(',')}` : ''}`;
        }
      }
      return undefined;
    },
  };
}
