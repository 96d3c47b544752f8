// The lock service's roles and triggers for targeted faults (`node: '@holder'`,
// `on: { event: 'lock-granted' }`), read from what clients publish
// (LockClientState) and the trace's messages.

import { onPublished, onSend, publishedWhere } from '../../engine/targets.ts';
import type { RoleDefinition, TriggerDefinition } from '../../api/protocol.ts';
import type { LockClientState } from './state.ts';

const isClient = (s: LockClientState): boolean => typeof s.holding === 'boolean' && 'recipe' in s;

export const lockRoles: Record<string, RoleDefinition> = {
  server: { description: 'the lock server (role server) when it is up', resolve: (view) => view.nodeIds.filter((id) => view.role(id) === 'server' && view.isUp(id)) },
  resource: { description: 'the protected resource (role resource) when it is up', resolve: (view) => view.nodeIds.filter((id) => view.role(id) === 'resource' && view.isUp(id)) },
  holder: { description: 'an up client that believes it holds its lock', resolve: (view) => publishedWhere<LockClientState>(view, (s) => isClient(s) && s.holding) },
  waiter: { description: 'an up client that does not hold its lock', resolve: (view) => publishedWhere<LockClientState>(view, (s) => isClient(s) && !s.holding) },
};

export const lockTriggers: Record<string, TriggerDefinition> = {
  'lock-granted': {
    description: 'a client learns it holds the lock (at the client)',
    match: onPublished<LockClientState>((s, p) => isClient(s) && s.holding && p?.holding !== true),
  },
  'lock-released': {
    description: 'a client stops holding the lock (released, or its lease ran out on its clock)',
    match: onPublished<LockClientState>((s, p) => isClient(s) && !s.holding && p?.holding === true),
  },
  'lease-renewed': { description: 'a client sends a keep-alive to extend its lease', match: onSend('keepalive') },
  'acquire-sent': { description: 'a client asks for the lock', match: onSend('acquire') },
  'write-sent': { description: 'a client sends a write to the protected resource', match: onSend('write') },
};

/** What protocol.ts spreads into its definition. */
export const lockTargets = { roles: lockRoles, triggers: lockTriggers };
