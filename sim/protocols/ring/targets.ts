// The ring cluster's roles and triggers for targeted faults (`node: '@most-keys'`,
// `on: { event: 'handoff-sent' }`), read from what storage nodes publish
// (RingServerState) and the trace's messages.

import { onSend, publishedWhere } from '../../engine/targets.ts';
import type { SimView } from '../../engine/types.ts';
import type { RoleDefinition, TriggerDefinition } from '../../api/protocol.ts';
import type { RingServerState } from './state.ts';

const isServer = (s: RingServerState): boolean => typeof s.keys === 'number' && Array.isArray(s.migrating);

function mostKeys(view: SimView): string[] {
  const all = publishedWhere<RingServerState>(view, (s) => isServer(s));
  const keys = (id: string): number => (view.published(id) as unknown as RingServerState).keys;
  const best = Math.max(...all.map(keys));
  return all.filter((id) => keys(id) === best && best > 0);
}

export const ringRoles: Record<string, RoleDefinition> = {
  coordinator: { description: 'the membership coordinator (role coordinator) when it is up', resolve: (view) => view.nodeIds.filter((id) => view.role(id) === 'coordinator' && view.isUp(id)) },
  'most-keys': { description: 'an up storage node holding the most keys', resolve: mostKeys },
  migrating: { description: 'an up storage node with a hand-off not yet acknowledged', resolve: (view) => publishedWhere<RingServerState>(view, (s) => isServer(s) && s.migrating.length > 0) },
  member: {
    description: 'an up storage node that is a member of the ring it acts on',
    resolve: (view) => publishedWhere<RingServerState>(view, (s, id) => isServer(s) && s.members.some((m) => m.id === id)),
  },
};

export const ringTriggers: Record<string, TriggerDefinition> = {
  'membership-change': { description: 'the coordinator sends a new ring (a join or leave starts)', match: onSend('ring-update') },
  'ring-active': { description: 'the coordinator announces a ring settled (every hand-off done)', match: onSend('ring-active') },
  'handoff-sent': { description: 'a storage node sends keys it no longer owns to their new owner', match: onSend('handoff') },
  'handoff-done': { description: 'a storage node reports its hand-off done to the coordinator', match: onSend('handoff-done') },
  'replicate-sent': { description: 'a storage node forwards a write to a replica', match: onSend('replicate') },
};

/** What protocol.ts spreads into its definition. */
export const ringTargets = { roles: ringRoles, triggers: ringTriggers };
