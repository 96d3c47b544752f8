// Step rule of the PN-counter CRDT: every replica's state only grows in the semilattice order.
//
// Shapiro, Preguiça, Baquero, Zawirski, "A comprehensive study of Convergent and Commutative
// Replicated Data Types" (INRIA RR-7506, 2011), section 2.2.1: a state-based object is a monotonic
// semilattice: every update is an inflation (s <= s.u) and merge is the least upper bound, so a
// replica's state never goes down in the order; for the G-counter and PN-counter (Specifications 6 and
// 7) the order is entrywise on P and N. The final checkers (counter-value, convergence) see a state
// that went down only if nothing repairs it before a calm end (a later gossip from the entry's owner
// does); this rule sees the step that lowered an entry: a merge that takes a peer's older entry, a
// decrement applied to P. Sound across restarts: a replica fsyncs every change before it publishes
// it (replica.ts, save), so what it published is what it restarts with.

import { published, type Checker } from '../../api/index.ts';
import type { CounterReplicaState } from './state.ts';

/**
 * `state-inflation`: a PN-counter replica's published entries never decrease (each P and N, per
 * replica), across its restarts. Reads only what replicas publish; looks at the replica that acted
 * (every replica after a fault step). Cost: O(entries) per publish of the acting replica.
 */
export function stateInflationRule(replicas: readonly string[]): Checker {
  const last = new Map<string, Record<string, [number, number]>>();
  const judge = (id: string, s: CounterReplicaState | undefined): string | undefined => {
    if (s?.entries === null || s?.entries === undefined) return undefined;
    const before = last.get(id);
    last.set(id, s.entries);
    if (before === undefined) return undefined;
    for (const [k, [p, n]] of Object.entries(before)) {
      const now = s.entries[k] ?? [0, 0];
      if (now[0] < p || now[1] < n) return `${id}'s entry for ${k} went from [P ${p}, N ${n}] to [P ${now[0]}, N ${now[1]}]: a PN-counter replica's state only grows (every update an inflation, merge the least upper bound; Shapiro et al. 2011, section 2.2.1)`;
    }
    return undefined;
  };
  return {
    name: 'state-inflation',
    description: "a PN-counter replica's P and N entries never decrease (monotonic semilattice: updates are inflations, merge the least upper bound; Shapiro et al. 2011)",
    when: 'always',
    onChange: true, // reads only what replicas publish
    check(view) {
      const actor = view.actor;
      for (const id of actor !== undefined ? [actor] : replicas) {
        if (actor !== undefined && !replicas.includes(id)) continue;
        const why = judge(id, published<CounterReplicaState>(view, id));
        if (why !== undefined) return why;
      }
      return undefined;
    },
  };
}

/**
 * `adds-applied-once`: a PN-counter replica's own entry never counts more than the distinct adds
 * delivered to it: its P is at most the sum of the positive deltas, and its N at most the sum of the
 * negated negative deltas, of the distinct requests (client, id) it has received, whatever copies
 * of them arrived (Shapiro et al. 2011, Specification 7: only the replica's own updates raise its
 * own entry, one `increment`/`decrement` per client operation; at-most-once request handling as in
 * Raft's client sessions, Ongaro's dissertation section 6.3, and the counter README's dedup by
 * request id). It sees the step that applies a copy again (a late or duplicated add after the
 * client's next request), where `counter-value` needs a calm end to judge the sum. Sound: an add is
 * applied only on delivery, only for an id above the highest decided for that client (ids are a
 * per-client durable sequence), and a refused add counts in the bound without being applied; a
 * restart brings back only what was fsynced, no more. Reads the messages sent (each add's client,
 * id and delta, copies mapped to their original) and the acting replica's publish.
 * Cost: O(1) per add message event, O(1) per publish.
 */
export function addsAppliedOnceRule(replicas: readonly string[]): Checker {
  const isReplica = new Set(replicas);
  /** Add requests in flight: send id -> client, request id, delta. */
  const inFlight = new Map<number, { key: string; delta: number }>();
  /** Per replica: the distinct requests delivered, and the bound they give on its own [P, N]. */
  const seen = new Map<string, Set<string>>();
  const bound = new Map<string, [number, number]>();
  let lastSeq = -1;
  return {
    name: 'adds-applied-once',
    description: "a PN-counter replica's own P and N never exceed the sums of the distinct adds (client, id) delivered to it: a copy of a request is never applied again (Shapiro et al. 2011, Specification 7; at-most-once requests)",
    when: 'always',
    observes: ['send', 'duplicate', 'deliver', 'drop'],
    observe(ev) {
      if (ev.seq < lastSeq) {
        inFlight.clear(); // a new run through the same prepared checker
        seen.clear();
        bound.clear();
      }
      lastSeq = ev.seq;
      if (ev.type === 'send') {
        const msg = ev.msg as { type?: string; id?: number; delta?: number };
        if (msg.type === 'add' && isReplica.has(ev.to) && typeof msg.delta === 'number') inFlight.set(ev.id, { key: `${ev.from}:${msg.id}`, delta: msg.delta });
      } else if (ev.type === 'duplicate') {
        const a = inFlight.get(ev.of);
        if (a !== undefined) inFlight.set(ev.id, a);
      } else if (ev.type === 'drop') {
        inFlight.delete(ev.id);
      } else if (ev.type === 'deliver') {
        const a = inFlight.get(ev.id);
        if (a === undefined) return;
        inFlight.delete(ev.id);
        let s = seen.get(ev.to);
        if (s === undefined) seen.set(ev.to, (s = new Set()));
        if (s.has(a.key)) return;
        s.add(a.key);
        const b = bound.get(ev.to) ?? [0, 0];
        bound.set(ev.to, a.delta >= 0 ? [b[0] + a.delta, b[1]] : [b[0], b[1] - a.delta]);
      }
    },
    check(view) {
      const actor = view.actor;
      if (actor === undefined || !isReplica.has(actor)) return undefined;
      const own = published<CounterReplicaState>(view, actor)?.entries?.[actor];
      if (own === undefined) return undefined;
      const [p, n] = bound.get(actor) ?? [0, 0];
      if (own[0] > p || own[1] > n) {
        return `${actor}'s own entry is [P ${own[0]}, N ${own[1]}], but the distinct adds delivered to it sum to [P ${p}, N ${n}]: a request was applied more than once`;
      }
      return undefined;
    },
  };
}
