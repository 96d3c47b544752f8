// The lock service's checkers. Server-side properties are read off what the
// server actually sends (a grant is a decision the moment it leaves), resource-
// side ones off the resource's acknowledgements, in TRUE time (the SimView's
// clock, never a node's), and the history is checked as a linearizable lock.
//
//   single-holder      at most one holder per lock at any time, on the server's own clock:
//                      a grant never goes out while another session's lease on that lock runs
//   token-order        fencing tokens strictly increase per lock, across crashes and restarts
//   durable-grants     when a grant leaves the server, its disk already holds (fsynced) that grant
//                      and a token counter past it: the white-box cause of token-order
//   fenced-writes      with fencing, the resource accepts tokens in non-decreasing order per lock,
//                      so no write of an older holder lands after a newer holder's
//   mutual-exclusion   critical sections never overlap in true time. A critical section is
//                      what a holding did to the resource: the span from its first to its last
//                      accepted write. Two holdings' spans interleaving is the failure.
//   lock-progress      liveness: once faults stop (the quiesce point, else the start) every live client
//                      that still wants the lock gets it again (judged only when the fault-free time is
//                      long enough for stale leases to lapse and the queue ahead to drain)
//   starvation-freedom liveness while faults last (fencing recipe): a client that wants a lock, can talk
//                      with the server, and whose rivals are each either healthy (connected to the
//                      server and the resource) or unable to keep a session alive (cannot send to the
//                      server), gets a lock within the same grace as lock-progress
//   linearizable       the acquire/release history is a linearizable lock (lockModel); lease
//                      expiries are in it as releases by the holder (recorded by the server)

import { checkHistory } from '../../check/linearizability/checker.ts';
import { lockModel } from '../../check/linearizability/models.ts';
import { assert, formatDuration, type Checker, type Micros, type SimView, type TraceEvent } from '../../api/index.ts';
import { grantsIn, type LockMessage, type ResourceAck } from './messages.ts';
import { TABLE_KEY } from './server.ts';
import type { LockTableSnapshot } from '../common/lock-table.ts';

type Observe = (ev: TraceEvent, view: SimView) => string | undefined;

/** An 'always' checker driven by trace events: observe() finds the problem, check() reports it once. */
function eventChecker(name: string, description: string, make: () => Observe): Checker {
  const step = make();
  let found: string | undefined;
  return {
    name,
    description,
    when: 'always',
    observe(ev, view) {
      if (found === undefined) found = step(ev, view);
    },
    check: () => found,
  };
}

function sentBy(ev: TraceEvent, node: string): LockMessage | undefined {
  return ev.type === 'send' && ev.from === node ? (ev.msg as unknown as LockMessage) : undefined;
}

/** The resource's acceptance of a write (not a duplicate), or undefined. */
function acceptedWrite(ev: TraceEvent, resource: string): ResourceAck | undefined {
  const m = sentBy(ev, resource);
  return m?.type === 'write-ack' && m.ok && !m.dup ? m : undefined;
}

export function singleHolderChecker(server: string): Checker {
  return eventChecker('single-holder', 'At most one session holds a lock at any time (on the server clock)', () => {
    // Per lock: the current holder's session, token and lease end, as the server has told its clients.
    const held = new Map<string, { session: string; token: number; expiresAt: Micros }>();
    const leaseOf = new Map<string, Micros>(); // session -> latest lease end the server announced
    return (ev) => {
      const m = sentBy(ev, server);
      if (!m || (m.type !== 'lock-reply' && m.type !== 'granted')) return undefined;
      if (m.type === 'lock-reply') {
        const r = m.reply;
        if (r.kind === 'alive' || r.kind === 'queued') leaseOf.set(m.session, Math.max(leaseOf.get(m.session) ?? 0, r.expiresAt));
        if (r.kind === 'released') {
          const h = held.get(r.lock);
          if (h && h.session === m.session && h.token === r.token) held.delete(r.lock);
        }
      }
      for (const g of grantsIn(m)) {
        leaseOf.set(g.session, Math.max(leaseOf.get(g.session) ?? 0, g.expiresAt));
        const h = held.get(g.lock);
        if (h && h.session !== g.session) {
          const until = Math.max(h.expiresAt, leaseOf.get(h.session) ?? 0);
          if (m.serverTime < until) {
            return `${server} granted ${g.lock} to ${g.session} (token ${g.token}) at server time ${formatDuration(m.serverTime)} while ${h.session} (token ${h.token}) still held it until ${formatDuration(until)}`;
          }
        }
        held.set(g.lock, { session: g.session, token: g.token, expiresAt: g.expiresAt });
      }
      return undefined;
    };
  });
}

export function tokenOrderChecker(server: string): Checker {
  return eventChecker('token-order', 'Fencing tokens strictly increase per lock and are never reused', () => {
    const last = new Map<string, { token: number; session: string }>();
    return (ev) => {
      const m = sentBy(ev, server);
      if (!m) return undefined;
      for (const g of grantsIn(m)) {
        const prev = last.get(g.lock);
        // The same grant answered again (a retried acquire) repeats its token; anything else must exceed it.
        if (prev && !(g.token === prev.token && g.session === prev.session) && g.token <= prev.token) {
          return `${server} granted ${g.lock} to ${g.session} with token ${g.token}, but token ${prev.token} was already granted to ${prev.session}`;
        }
        if (!prev || g.token > prev.token) last.set(g.lock, { token: g.token, session: g.session });
      }
      return undefined;
    };
  });
}

/** `fencing`: whether the resource fences at all; without it the property is not promised and the checker passes. */
export function durableGrantsChecker(server: string): Checker {
  return eventChecker('durable-grants', 'Every grant is on the server disk (fsynced) before it is sent', () => (ev, view) => {
    const m = sentBy(ev, server);
    if (!m) return undefined;
    for (const g of grantsIn(m)) {
      const snap = view.durable(server).get(TABLE_KEY) as LockTableSnapshot | undefined;
      const entry = snap?.locks[g.lock];
      if (!snap || snap.nextToken <= g.token || entry?.holder !== g.session || entry.token !== g.token) {
        const had = snap ? `durable table has ${g.lock} ${entry ? `held by ${entry.holder} with token ${entry.token}` : 'unknown'} and next token ${snap.nextToken}` : 'nothing durable';
        return `${server} sent the grant of ${g.lock} to ${g.session} (token ${g.token}) before making it durable: ${had}`;
      }
    }
    return undefined;
  });
}

export function fencedWritesChecker(resource: string, fencing: boolean): Checker {
  return eventChecker('fenced-writes', 'The resource accepts fenced writes in non-decreasing token order per lock', () => {
    const highest = new Map<string, { token: number; client: string }>();
    return (ev) => {
      if (!fencing) return undefined;
      const a = acceptedWrite(ev, resource);
      if (!a || a.token === null) return undefined;
      const h = highest.get(a.lock);
      if (h && a.token < h.token) {
        return `${resource} accepted write ${a.seq} of ${a.client} on ${a.lock} with token ${a.token} after a write of ${h.client} with token ${h.token}: a stale holder got through`;
      }
      if (!h || a.token > h.token) highest.set(a.lock, { token: a.token, client: a.client });
      return undefined;
    };
  });
}

export function mutualExclusionChecker(resource: string): Checker {
  return eventChecker('mutual-exclusion', 'Critical sections on one lock never overlap in true time', () => {
    interface Section { tenure: string; client: string; first: Micros; last: Micros }
    const current = new Map<string, Section>();
    // Holdings that another holding has written after: they must never write again.
    const superseded = new Map<string, { by: Section }>();
    return (ev) => {
      const a = acceptedWrite(ev, resource);
      if (!a) return undefined;
      const t = ev.t; // true time of the acceptance
      const cur = current.get(a.lock);
      if (cur && cur.tenure === a.tenure) {
        cur.last = t;
        return undefined;
      }
      const old = superseded.get(a.tenure);
      if (old) {
        const b = old.by;
        return `on ${a.lock}, ${a.client}'s critical section (${a.tenure}) wrote at t=${formatDuration(t)}, after ${b.client}'s (${b.tenure}) wrote at t=${formatDuration(b.first)}..${formatDuration(b.last)}: the two overlap in true time`;
      }
      const next: Section = { tenure: a.tenure, client: a.client, first: t, last: t };
      if (cur) superseded.set(cur.tenure, { by: next });
      current.set(a.lock, next);
      return undefined;
    };
  });
}

/**
 * `grace`: fault-free time a client may need to get a lock: stale leases lapse (a ttl or two) and the
 * queue ahead of it drains (every other client's critical section). Shorter runs are not judged.
 */
export function progressChecker(clients: readonly string[], grace: Micros, cycles: number): Checker {
  let reached = false;
  return {
    name: 'lock-progress',
    description: 'After the faults stop, every live client that still wants a lock gets one',
    when: 'final',
    judged: () => reached,
    check(view) {
      const from = view.quiescedAt ?? 0;
      if (view.now - from < grace) return undefined; // too little fault-free time to judge
      reached = true;
      const acquires = new Map<number, string>();
      const okAfter = new Map<string, number>(); // client -> acquires ok after `from`
      const total = new Map<string, number>();
      for (const h of view.history) {
        if (h.type === 'invoke' && h.f === 'acquire') acquires.set(h.op, h.process);
        else if (h.type === 'return' && h.outcome === 'ok') {
          const c = acquires.get(h.op);
          if (c === undefined) continue;
          total.set(c, (total.get(c) ?? 0) + 1);
          if (h.t > from) okAfter.set(c, (okAfter.get(c) ?? 0) + 1);
        }
      }
      const starved = clients.filter((c) => view.isUp(c) && !view.isPaused(c) && !(cycles > 0 && (total.get(c) ?? 0) >= cycles) && (okAfter.get(c) ?? 0) === 0);
      if (starved.length === 0) return undefined;
      return `no lock granted to ${starved.join(', ')} in the ${formatDuration(view.now - from)} after ${view.quiescedAt === undefined ? 'the start' : 'the faults stopped'}`;
    },
  };
}

export function linearizableLockChecker(): Checker {
  return {
    name: 'linearizable',
    description: 'The acquire/release history is linearizable as a lock (expiries recorded as releases)',
    when: 'final',
    check(view) {
      const r = checkHistory(view.history, lockModel, { maxSteps: 2_000_000 });
      if (r.verdict === 'unknown') view.warn('linearizable', `lock: search budget of 2000000 model steps ran out over ${r.operations} operations: linearizability not decided`);
      if (r.verdict === 'not-linearizable') return r.failure?.explanation ?? 'the lock history is not linearizable';
      return undefined;
    },
  };
}

export interface StarvationOptions {
  server: string;
  resource: string;
  clients: readonly string[];
  /** Fault-free time a client may need to get a lock (progressGrace: stale leases lapse, the queue drains). */
  grace: Micros;
  /** Only the fencing recipe queues waiters in FIFO order; Redis-style SET NX retries promise no fairness. */
  fifo: boolean;
}

/**
 * starvation-freedom (Herlihy and Shavit: every attempt to acquire eventually
 * succeeds), while faults last. Client c "wants" a lock from its acquire call
 * until an acquire returns ok (fail and info returns do not end the want: it
 * tries again), or until it crashes or restarts. The condition: no loss burst,
 * c and the server running and connected, and every other client either cannot
 * send to the server (down, paused or cut off: its lease lapses within a ttl)
 * or is healthy (connected to the server and to the resource: it finishes its
 * critical section and releases). While c wants a lock and the condition holds,
 * c must get one within `grace`. The window restarts whenever the condition
 * breaks, and a clock fault on the server or a client (which may stretch a
 * lease by the jump) pushes its start to the fault's time plus the jump.
 * Judged only for the FIFO (fencing) recipe.
 */
export function starvationFreedomChecker(o: StarvationOptions): Checker {
  const wants = new Map<string, number>(); // client -> true time it started wanting
  const since = new Map<string, number>(); // client -> start of the condition window
  let epoch = -1;
  let changed = true;
  let found: string | undefined;
  const isClient = new Set(o.clients);
  const acquires = new Set<number>(); // op ids of acquires not yet returned
  const healthy = (view: SimView, d: string): boolean => {
    const f = view.faults;
    // Cut off (not merely slowed: a slowed client's keep-alives still arrive and keep its lease).
    const canSend = f.running(d) && f.running(o.server) && !f.linkCut(d, o.server);
    return !canSend || (f.connected(d, o.server) && f.connected(d, o.resource));
  };
  const clockSettled = (view: SimView): number => {
    let t = 0;
    for (const id of [o.server, ...o.clients]) {
      const at = view.faults.clockSetAt(id);
      if (at !== undefined) t = Math.max(t, at + view.faults.clockJump(id));
    }
    return t;
  };
  return {
    name: 'starvation-freedom',
    description: 'While faults last: a client that wants a lock and can talk with the server, whose rivals are healthy or cut off from the server, gets a lock within the grace period (fencing recipe)',
    when: 'always',
    observe(ev) {
      if (!o.fifo) return;
      if (ev.type === 'invoke' && ev.f === 'acquire' && isClient.has(ev.process)) {
        acquires.add(ev.op);
        if (!wants.has(ev.process)) {
          wants.set(ev.process, ev.t);
          changed = true;
        }
      } else if (ev.type === 'return' && acquires.delete(ev.op)) {
        if (ev.outcome !== 'ok' || !wants.has(ev.process)) return;
        wants.delete(ev.process);
        since.delete(ev.process);
        changed = true;
      } else if ((ev.type === 'crash' || ev.type === 'restart') && wants.has(ev.node)) {
        wants.delete(ev.node);
        since.delete(ev.node);
        changed = true;
      }
    },
    check(view) {
      if (!o.fifo || found !== undefined) return found;
      const f = view.faults;
      if (f.epoch !== epoch || changed) {
        epoch = f.epoch;
        changed = false;
        for (const [c, from] of wants) {
          const ok = f.lossBurst === 0 && f.connected(c, o.server) && o.clients.every((d) => d === c || healthy(view, d));
          if (!ok) since.delete(c);
          else if (!since.has(c)) since.set(c, Math.max(from, view.now));
        }
      }
      if (since.size === 0) return undefined;
      const settled = clockSettled(view);
      for (const [c, from] of since) {
        const start = Math.max(from, settled);
        if (view.now - start > o.grace) {
          const wanted = wants.get(c);
          assert(wanted !== undefined, () => `starvation-freedom: ${c} is waiting without a want`);
          found = `${c} has wanted a lock since ${formatDuration(wanted)} and has been able to talk with ${o.server} (every rival healthy or cut off from it) since ${formatDuration(start)}, but got none in ${formatDuration(view.now - start)} (grace ${formatDuration(o.grace)})`;
          return found;
        }
      }
      return undefined;
    },
  };
}
