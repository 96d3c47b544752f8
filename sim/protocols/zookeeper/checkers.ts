// The ZooKeeper lock's checkers, over the trace, the history and what nodes
// publish, in true time.
//
//   mutual-exclusion  critical sections never overlap at the resource (the fenced resource's
//                     own checker, sim/api/fenced-resource.ts)
//   lock-order        a client holds the lock only while its znode, if still in /lock, is the
//                     lowest there (its turn) in the most advanced replica's tree (the highest
//                     zxid published: a committed state, followers may lag); a holder whose
//                     session expired is gone from the queue, which is the pause story
//                     (mutual-exclusion and fencing)
//   no-herd           a change under /lock wakes at most one waiter (one session notified per
//                     changed path and zxid, by any server): the recipe watches only the predecessor
//   lock-progress     liveness: once faults stop, every live client acquires the lock again
//                     within the grace (stale sessions expire, the queue drains)

import { formatDuration, resourceMutualExclusion, type Checker, type Micros, type NodeId, type TraceEvent } from '../../api/index.ts';
import type { ZkMessage } from './messages.ts';
import type { ZkClientState, ZkServerState } from './state.ts';
import { LOCK_DIR } from './server.ts';

function always(name: string, description: string, step: (ev: TraceEvent) => string | undefined): Checker {
  let found: string | undefined;
  return { name, description, when: 'always', observe: (ev) => void (found ??= step(ev)), check: () => found };
}

/** Critical sections never overlap at the resource: the fenced resource's own checker. */
export const mutualExclusionChecker = resourceMutualExclusion;

export function noHerdChecker(servers: readonly NodeId[]): Checker {
  const isServer = new Set(servers);
  const woken = new Map<string, Set<string>>(); // zxid + path -> sessions notified
  return always('no-herd', 'A change under /lock wakes at most one waiter (no herd effect)', (ev) => {
    if (ev.type !== 'send' || !isServer.has(ev.from)) return undefined;
    const m = ev.msg as unknown as ZkMessage;
    if (m.type !== 'watch' || !m.event.path.startsWith(LOCK_DIR)) return undefined;
    const key = `${m.zxid} ${m.event.path}`;
    let s = woken.get(key);
    if (!s) woken.set(key, (s = new Set()));
    s.add(m.event.session);
    if (s.size > 1) return `the change at zxid ${m.zxid} (${m.event.type} ${m.event.path}) woke ${s.size} sessions: ${[...s].join(', ')} (a herd: only the successor should wake)`;
    if (woken.size > 256) woken.delete(woken.keys().next().value as string);
    return undefined;
  });
}

export function lockProgressChecker(clients: readonly NodeId[], grace: Micros): Checker {
  let reached = false;
  return {
    name: 'lock-progress',
    description: 'Once faults stop, every live client acquires the lock again within the grace period',
    when: 'final',
    judged: () => reached,
    check(view) {
      const from = view.quiescedAt ?? 0;
      if (view.now - from < grace) return undefined;
      reached = true;
      const got = new Set<string>();
      const acquires = new Set<number>();
      for (const h of view.history) {
        if (h.type === 'invoke' && h.f === 'acquire') acquires.add(h.op);
        else if (h.type === 'return' && h.outcome === 'ok' && acquires.has(h.op) && h.t >= from) got.add(h.process);
      }
      const starved = clients.filter((c) => view.isUp(c) && !view.isPaused(c) && !got.has(c));
      if (starved.length === 0) return undefined;
      return `no lock acquired by ${starved.join(', ')} in the ${formatDuration(view.now - from)} after ${view.quiescedAt === undefined ? 'the start' : 'the faults stopped'}`;
    },
  };
}

export function lockOrderChecker(servers: readonly NodeId[], clients: readonly NodeId[]): Checker {
  const isClient = new Set(clients);
  const isServer = new Set(servers);
  let queue: string[] = [];
  let zxid = -1;
  const holding = new Map<NodeId, string>(); // client -> its znode while it holds
  const judge = (): string | undefined => {
    for (const [c, node] of holding) {
      const at = queue.indexOf(node);
      if (at > 0) return `${c} holds the lock with znode ${node}, but ${queue[0]} is ahead of it in ${LOCK_DIR}: it took the lock out of turn`;
    }
    return undefined;
  };
  return always('lock-order', 'A client holds the lock only while its znode is the lowest in /lock', (ev) => {
    if (ev.type !== 'state') return undefined;
    if (isServer.has(ev.node)) {
      const s = ev.state as unknown as ZkServerState;
      if (s.zxid < zxid || (s.zxid === zxid && s.queue.length === queue.length)) return undefined;
      zxid = s.zxid;
      queue = s.queue.map((q) => q.name);
      return judge();
    }
    if (!isClient.has(ev.node)) return undefined;
    const s = ev.state as unknown as ZkClientState;
    if (s.phase === 'holding' && s.node !== null) holding.set(ev.node, s.node);
    else holding.delete(ev.node);
    return judge();
  });
}
