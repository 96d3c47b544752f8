// The counter's roles and triggers for aimed faults (`node: '@behind'`, `on: { event: 'add-acked' }`),
// from what replicas publish, the messages they send and the copies the network makes of messages to them.

import { onSend, publishedWhere, type RoleDefinition, type TriggerDefinition } from '../../api/index.ts';
import type { SimView, TraceEvent } from '../../engine/types.ts';

/** Per simulation (its view): add sends to replicas still in flight, and each duplicated add's twin id. */
const COPIES = new WeakMap<SimView, { adds: Set<number>; twin: Map<number, number> }>();
import type { CounterReplicaState } from './state.ts';

const isReplica = (s: CounterReplicaState): boolean => typeof s.value === 'number' && 'design' in s;

export const counterRoles: Record<string, RoleDefinition> = {
  replica: { description: 'an up counter replica', resolve: (view) => publishedWhere<CounterReplicaState>(view, isReplica) },
  behind: {
    description: 'an up replica whose value differs from the most common value (it has not merged everything yet)',
    resolve: (view) => {
      const ups = publishedWhere<CounterReplicaState>(view, isReplica);
      const count = new Map<number, number>();
      for (const id of ups) {
        const v = (view.published(id) as CounterReplicaState).value;
        count.set(v, (count.get(v) ?? 0) + 1);
      }
      let best: number | undefined;
      for (const [v, n] of count) if (best === undefined || n > (count.get(best) ?? 0)) best = v;
      return ups.filter((id) => (view.published(id) as CounterReplicaState).value !== best);
    },
  },
  unacked: { description: 'an up replica with own deltas some peer has not acknowledged (delta gossip)', resolve: (view) => publishedWhere<CounterReplicaState>(view, (s) => isReplica(s) && s.unacked > 0) },
};

export const counterTriggers: Record<string, TriggerDefinition> = {
  'add-acked': { description: 'a replica acknowledges a client add (at the replica)', match: onSend('add-ok') },
  'delta-sent': { description: 'a replica sends its deltas to a peer', match: onSend('delta') },
  'delta-acked': { description: 'a replica acknowledges a peer\'s deltas', match: onSend('delta-ack') },
  'state-sent': { description: 'a replica gossips its whole state (or, naive, its value)', match: (ev, view, prev) => onSend('state')(ev, view, prev) ?? onSend('value')(ev, view, prev) },
  /**
   * A replica took a client's add whose copy, made by the network (a duplication burst, each with its own
   * latency), is still on its way to it: the occurrence is at the replica, between the two deliveries. A
   * crash there with a restart before the copy lands (a blink) is the window of a dedup table (client ->
   * highest request id decided) that a restart must bring back: the late copy is a request the replica
   * already applied (at-most-once requests, Ongaro's dissertation section 6.3; session 14). Reads the
   * `send` of each add to a replica, its `duplicate` and the deliveries; the pairs of one run are kept per
   * simulation (keyed by its view), so runs never share them.
   */
  'add-copy-pending': {
    description: 'a replica received a client add whose duplicate is still in flight to it (at the replica)',
    observes: ['send', 'duplicate', 'deliver', 'drop'],
    match: (ev: TraceEvent, view: SimView) => {
      let run = COPIES.get(view);
      if (run === undefined) COPIES.set(view, (run = { adds: new Set(), twin: new Map() }));
      switch (ev.type) {
        case 'send': {
          const m = ev.msg as { type?: unknown } | null;
          if (m !== null && typeof m === 'object' && m.type === 'add' && view.role(ev.to) === 'server') run.adds.add(ev.id);
          return undefined;
        }
        case 'duplicate':
          if (run.adds.has(ev.of)) {
            run.twin.set(ev.of, ev.id);
            run.twin.set(ev.id, ev.of);
          }
          return undefined;
        case 'drop':
        case 'deliver': {
          run.adds.delete(ev.id);
          const other = run.twin.get(ev.id);
          if (other === undefined) return undefined;
          run.twin.delete(ev.id);
          // The first of the two to land: the other is still in flight (it is forgotten when it lands or is dropped).
          if (!run.twin.delete(other) || ev.type === 'drop') return undefined;
          return ev.to;
        }
        default:
          return undefined;
      }
    },
  },
};

export const counterTargets = { roles: counterRoles, triggers: counterTriggers };
