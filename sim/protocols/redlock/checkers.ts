// Redlock's checkers, over the trace (the resource's acknowledgements, the
// nodes' published state) in TRUE time, never a node's clock.
//
//   mutual-exclusion  critical sections never overlap in true time: once a holding's write
//                     is accepted after another holding's, the older holding never gets a
//                     write accepted again (the lock service's checker, same rule)
//   lease-bounded     every lock key on a master has a time to live: a key that has lived
//                     without one for longer than ttl (true time) can outlive its client forever
//   token-order       with fencing: each holding's token is above every token handed out to a
//                     holding that started before it. Redlock cannot promise this: its masters'
//                     counters are independent and volatile (Kleppmann 2016, "Making the lock
//                     safe with fencing")

import { formatDuration, resourceMutualExclusion, type Checker, type Micros, type NodeId, type SimView, type TraceEvent } from '../../api/index.ts';
import type { MasterState, RedlockClientState } from './state.ts';

type Observe = (ev: TraceEvent, view: SimView) => string | undefined;

/** An 'always' checker driven by trace events: observe() finds the problem, check() reports it once. */
function eventChecker(name: string, description: string, make: () => Observe, check?: (view: SimView) => string | undefined): Checker {
  const step = make();
  let found: string | undefined;
  return {
    name,
    description,
    when: 'always',
    observe(ev, view) {
      if (found === undefined) found = step(ev, view);
    },
    check: (view) => (found ??= check?.(view)),
  };
}

/** Critical sections never overlap at the resource: the fenced resource's own checker. */
export const mutualExclusionChecker = resourceMutualExclusion;

export function leaseBoundedChecker(masters: readonly NodeId[], ttl: Micros): Checker {
  const since = new Map<string, Micros>(); // `${master} ${value}` -> true time first seen without a TTL
  const isMaster = new Set(masters);
  return eventChecker(
    'lease-bounded',
    'Every lock key on a master has a time to live (none lives without one longer than ttl)',
    () => (ev) => {
      if ((ev.type !== 'state' && ev.type !== 'crash' && ev.type !== 'restart') || !isMaster.has(ev.node)) return undefined;
      const m = ev.node;
      const s = ev.type === 'state' ? (ev.state as unknown as MasterState) : undefined;
      const live = new Set<string>();
      if (s) for (const k of Object.values(s.keys)) if (k.expiresAt === null) live.add(`${m} ${k.value}`);
      for (const k of [...since.keys()]) if (k.startsWith(`${m} `) && !live.has(k)) since.delete(k);
      for (const k of live) if (!since.has(k)) since.set(k, ev.t);
      return undefined;
    },
    (view) => {
      for (const [k, t] of since) {
        if (view.now - t > ttl) {
          const [m, value] = k.split(' ');
          return `${m} has held the lock key of ${value} without a time to live since t=${formatDuration(t)} (${formatDuration(view.now - t)} > ttl ${formatDuration(ttl)}): if its client is gone, the lock is held forever`;
        }
      }
      return undefined;
    },
  );
}

export function tokenOrderChecker(clients: readonly NodeId[]): Checker {
  const isClient = new Set(clients);
  return eventChecker('token-order', 'With fencing: every holding gets a token above all tokens of earlier holdings', () => {
    let best: { token: number; client: NodeId; t: Micros } | undefined;
    const holding = new Map<NodeId, string | null>();
    return (ev) => {
      if (ev.type !== 'state' || !isClient.has(ev.node)) return undefined;
      const c = ev.node;
      const s = ev.state as unknown as RedlockClientState;
      if ( s.phase !== 'holding' || s.token === null) {
        holding.set(c, null);
        return undefined;
      }
      if (holding.get(c) === s.value) return undefined;
      holding.set(c, s.value);
      if (best && s.token <= best.token) {
        return `${c} acquired at t=${formatDuration(ev.t)} with fencing token ${s.token}, but ${best.client} got token ${best.token} at t=${formatDuration(best.t)}: per-master SET counters do not make a monotonic fencing token`;
      }
      best = { token: s.token, client: c, t: ev.t };
      return undefined;
    };
  });
}
