// Redlock's roles and triggers for aimed faults, from published state.

import { onPublished, onSend, publishedWhere, type RoleDefinition, type TriggerDefinition } from '../../api/index.ts';
import type { MasterState, RedlockClientState } from './state.ts';

const isClient = (s: RedlockClientState): boolean => typeof s.phase === 'string' && 'acquired' in s;
const isMaster = (s: MasterState): boolean => typeof s.available === 'boolean' && 'keys' in s;

export const redlockRoles: Record<string, RoleDefinition> = {
  master: { description: 'an up master that is serving', resolve: (view) => publishedWhere<MasterState>(view, (s) => isMaster(s) && s.available) },
  'key-master': { description: 'an up master that holds a lock key', resolve: (view) => publishedWhere<MasterState>(view, (s) => isMaster(s) && Object.keys(s.keys).length > 0) },
  holder: { description: 'an up client that believes it holds the lock', resolve: (view) => publishedWhere<RedlockClientState>(view, (s) => isClient(s) && s.phase === 'holding') },
  resource: { description: 'the protected resource when up', resolve: (view) => view.nodeIds.filter((id) => view.role(id) === 'resource' && view.isUp(id)) },
};

export const redlockTriggers: Record<string, TriggerDefinition> = {
  'lock-acquired': {
    description: 'a client decides it holds the lock (majority and positive validity)',
    match: onPublished<RedlockClientState>((s, p) => isClient(s) && s.phase === 'holding' && p?.phase !== 'holding'),
  },
  'set-sent': { description: 'a client sends SET NX to a master', match: onSend('set') },
  'unlock-sent': { description: 'a client sends the release to a master', match: onSend('unlock') },
  'write-sent': { description: 'a client sends a write to the resource', match: onSend('write') },
};

export const redlockTargets = { roles: redlockRoles, triggers: redlockTriggers };
