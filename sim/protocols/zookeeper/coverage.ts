// The ZooKeeper lock's abstract state: queue length, how many clients believe they
// hold the lock, how many waiters, whether the queue's head belongs to a client that
// does not hold (a stale or orphan znode), servers down (the most advanced replica's tree).

import type { SimView } from '../../api/index.ts';
import type { ZkClientState, ZkServerState } from './state.ts';

const bucket = (n: number): string => (n >= 3 ? '3+' : String(n));

export function zkAbstractState(view: SimView): string {
  let server: ZkServerState | undefined;
  const clients: ZkClientState[] = [];
  let down = '';
  for (const id of view.nodeIds) {
    const s = view.published(id) as unknown;
    if (!view.isUp(id) || view.isPaused(id)) down += view.role(id)[0];
    if (view.role(id) === 'server') {
      const t = s as ZkServerState | undefined;
      if (t !== undefined && (server === undefined || t.zxid > server.zxid)) server = t; // the most advanced replica
    }
    else if (view.role(id) === 'client' && s) clients.push(s as ZkClientState);
  }
  const holders = clients.filter((c) => c.phase === 'holding');
  const waiting = clients.filter((c) => c.phase === 'waiting').length;
  const head = server?.queue[0]?.name;
  const headHeld = head !== undefined && holders.some((c) => c.node === head);
  return `q${bucket(server?.queue.length ?? 0)} h${bucket(holders.length)} w${bucket(waiting)} ${head === undefined ? '-' : headHeld ? 'H' : 'S'} ${down}`.trim();
}
