// The lock service's abstract state for coverage-guided fuzzing
// (sim/fuzz/guided.ts): per lock, the relation between the server's holder,
// lease and token and what clients believe (how many believe they hold it, how
// many of them hold a token the server no longer grants, whether the lease has
// run out on the true-time axis, waiters), the protected resource's highest
// token against the server's, and which nodes are down or paused.

import type { SimView } from '../../engine/types.ts';
import type { LockClientState, LockResourceState, LockServerState } from './state.ts';

const bucket = (n: number): string => (n >= 2 ? '2+' : String(n));

/** The lock service's abstract state: `ProtocolDefinition.abstractState`. */
export function lockAbstractState(view: SimView): string {
  let server: LockServerState | undefined;
  let resource: LockResourceState | undefined;
  const clients: LockClientState[] = [];
  let stopped = '';
  for (const id of view.nodeIds) {
    const s = view.published(id) as Record<string, unknown> | undefined;
    const role = view.role(id);
    if (!view.isUp(id)) stopped += `${role[0]}x`;
    else if (view.isPaused(id)) stopped += `${role[0]}z`;
    if (!s || typeof s !== 'object') continue;
    if (role === 'server' && 'locks' in s) server = s as unknown as LockServerState;
    else if (role === 'resource') resource = s as unknown as LockResourceState;
    else if (role === 'client' && 'holding' in s) clients.push(s as unknown as LockClientState);
  }
  const parts: string[] = [];
  for (const [name, l] of Object.entries(server?.locks ?? {}).sort((a, b) => a[0].localeCompare(b[0]))) {
    const mine = clients.filter((c) => c.lock === name && c.holding);
    const stale = mine.filter((c) => c.token !== l.token).length;
    const expired = l.holder !== null && l.expiresAt <= view.now;
    parts.push(`${l.holder !== null ? 'H' : '-'}${expired ? 'e' : ''} b${bucket(mine.length)} s${bucket(stale)} w${bucket(l.waiters.length)}`);
  }
  const fence = resource && server ? (resource.highestToken >= server.nextToken ? 'R>' : resource.highestToken === server.nextToken - 1 ? 'R=' : 'R<') : 'R?';
  return `${parts.join('|')} ${fence} ${stopped}`.trim();
}
