// The counter's roles and triggers for aimed faults (`node: '@behind'`, `on: { event: 'add-acked' }`),
// from what replicas publish and the messages they send.

import { onSend, publishedWhere, type RoleDefinition, type TriggerDefinition } from '../../api/index.ts';
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
};

export const counterTargets = { roles: counterRoles, triggers: counterTriggers };
