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
