// The data tree (tree.ts) as the replicated state machine of Raft
// (sim/protocols/raft/machine.ts): every client operation, session opening and
// session expiry is a log entry, applied in log order on every server with the
// entry's log index as its zxid. The leader stamps the requesting session into the
// operation (`command`). Watches fire on every server as entries apply; the server
// node (server.ts) forwards them to clients only while it leads, so the definition
// takes a per-server `observer` told of each tree it builds and each watch that fires.

import type { JsonValue } from '../../api/index.ts';
import type { StateMachineDefinition } from '../raft/public.ts';
import { DataTree, SYSTEM_SESSION, type TreeOp, type TreeSnapshot, type WatchEvent } from './tree.ts';

export const LOCK_DIR = '/lock';

/** What a server node learns from its state machine. */
export interface TreeObserver {
  /** A tree was built (the first start, a restart, an installed snapshot): the one now applied to. */
  tree(t: DataTree): void;
  /** A watch fired while applying an entry. */
  fired(e: WatchEvent): void;
}

/** A fresh tree with the lock directory. */
export function initialTree(): DataTree {
  const t = new DataTree();
  t.apply({ op: 'create', path: LOCK_DIR, data: '', ephemeral: false, sequential: false, session: SYSTEM_SESSION }, []);
  return t;
}

/** The data tree state machine for one server (`observer` is that server's). */
export function zkTreeService(observer: TreeObserver): StateMachineDefinition {
  return {
    name: 'zk-tree',
    create(snapshot) {
      const tree = snapshot === null ? initialTree() : DataTree.from(snapshot as unknown as TreeSnapshot);
      observer.tree(tree);
      const fired: WatchEvent[] = [];
      return {
        apply(op, index) {
          fired.length = 0;
          const result = tree.apply(op as unknown as TreeOp, fired, index);
          for (const e of fired) observer.fired(e);
          return result as unknown as JsonValue;
        },
        snapshot: () => tree.snapshot() as unknown as JsonValue,
      };
    },
    // The session is the requesting client of the Raft session (section 8): stamped by the leader.
    command: (op, client) => {
      const o = op as { op?: unknown };
      return o.op === 'create-session' || o.op === 'close-session' ? op : { ...(op as Record<string, JsonValue>), session: client };
    },
    describe(op) {
      const o = op as unknown as TreeOp;
      switch (o.op) {
        case 'create-session':
          return `open session (${o.client})`;
        case 'close-session':
          return `close session ${o.session}`;
        case 'create':
          return `create ${o.path}${o.sequential ? '#' : ''} (${o.session})`;
        default:
          return `${o.op} ${o.path}${'watch' in o && o.watch ? ' +watch' : ''} (${o.session})`;
      }
    },
  };
}
