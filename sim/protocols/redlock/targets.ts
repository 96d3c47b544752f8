// Redlock's roles and triggers for aimed faults, from published state. Both
// resolve to masters only: Redlock claims to tolerate master failures, so that is
// where generated faults go. Faults on clients (a pause past the lease, a client
// clock jump) break any lease-based lock, Redlock included: that is the critique
// (Kleppmann 2016), told by the scenarios that name a client directly.

import { onPublished, publishedWhere, type RoleDefinition, type TriggerDefinition } from '../../api/index.ts';
import type { MasterState } from './state.ts';

const isMaster = (s: MasterState): boolean => typeof s.available === 'boolean' && 'keys' in s;
const keyCount = (s: MasterState | undefined): number => (s && isMaster(s) ? Object.keys(s.keys).length : 0);

export const redlockRoles: Record<string, RoleDefinition> = {
  master: { description: 'an up master that is serving', resolve: (view) => publishedWhere<MasterState>(view, (s) => isMaster(s) && s.available) },
  'key-master': { description: 'an up master that holds a lock key', resolve: (view) => publishedWhere<MasterState>(view, (s) => keyCount(s) > 0) },
  'idle-master': { description: 'an up master that holds no lock key', resolve: (view) => publishedWhere<MasterState>(view, (s) => isMaster(s) && keyCount(s) === 0) },
};

export const redlockTriggers: Record<string, TriggerDefinition> = {
  'key-set': {
    description: 'a master stores a lock key (a SET NX succeeded there)',
    match: onPublished<MasterState>((s, p) => keyCount(s) > keyCount(p)),
  },
  'key-gone': {
    description: 'a master drops a lock key (released or expired)',
    match: onPublished<MasterState>((s, p) => keyCount(s) < keyCount(p)),
  },
};

export const redlockTargets = { roles: redlockRoles, triggers: redlockTriggers };
