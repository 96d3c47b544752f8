// ZooKeeper lock roles and triggers for aimed faults.

import { onPublished, onSend, publishedWhere, type RoleDefinition, type TriggerDefinition } from '../../api/index.ts';
import type { ZkClientState, ZkServerPublished } from './state.ts';

const isClient = (s: ZkClientState): boolean => typeof s.phase === 'string' && 'watching' in s;

export const zkRoles: Record<string, RoleDefinition> = {
  leader: {
    description: 'the Raft leader of the highest term among up servers that believe they lead',
    resolve: (view) => {
      const leaders = publishedWhere<ZkServerPublished>(view, (s) => s.role === 'leader' && 'queue' in s);
      const term = (id: string): number => (view.published(id) as unknown as ZkServerPublished).term;
      const top = Math.max(...leaders.map(term));
      return leaders.filter((id) => term(id) === top);
    },
  },
  holder: { description: 'an up client that believes it holds the lock', resolve: (view) => publishedWhere<ZkClientState>(view, (s) => isClient(s) && s.phase === 'holding') },
  waiter: { description: 'an up client waiting on its predecessor', resolve: (view) => publishedWhere<ZkClientState>(view, (s) => isClient(s) && s.phase === 'waiting') },
};

export const zkTriggers: Record<string, TriggerDefinition> = {
  'lock-acquired': { description: 'a client starts holding the lock', match: onPublished<ZkClientState>((s, p) => isClient(s) && s.phase === 'holding' && p?.phase !== 'holding') },
  'wait-started': { description: 'a client starts waiting on its predecessor', match: onPublished<ZkClientState>((s, p) => isClient(s) && s.phase === 'waiting' && p?.phase !== 'waiting') },
  'create-sent': { description: 'a client asks to create its lock znode', match: onSend('client-req', (m) => (m.op as { op?: unknown } | null)?.op === 'create') },
  'watch-fired': { description: 'the server notifies a watch', match: onSend('watch') },
};

export const zkTargets = { roles: zkRoles, triggers: zkTriggers };
