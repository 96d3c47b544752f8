// A single ZooKeeper-like server: the data tree (tree.ts), sessions kept alive by
// pings and expired by the server after `sessionTimeout` of silence (their
// ephemeral znodes vanish and watches fire), requests applied in arrival order.
// The tree, the session table and the session counter are fsynced before any
// answer or notification leaves, so a restart keeps them; a restarted server gives
// every session a fresh timeout, as a new ZooKeeper leader does.
// (Replicating the tree on Raft is the next step: DataTree.apply is the state machine.)

import type { Io, JsonValue, NodeId, ProtocolNode, Timer } from '../../api/index.ts';
import type { ZkMessage } from './messages.ts';
import type { ZkServerState } from './state.ts';
import { DataTree, type TreeSnapshot, type WatchEvent } from './tree.ts';

export const LOCK_DIR = '/lock';

export interface ServerOptions {
  sessionTimeout: number;
  tick: number;
}

interface Session { client: NodeId; heard: number }
type ServerTimer = Timer & { name: 'tick' };
type ServerIo = Io<ZkMessage, ServerTimer, JsonValue>;

interface Durable { tree: TreeSnapshot; sessions: [string, NodeId][]; next: number }

export class ZkServer implements ProtocolNode<ZkMessage, ServerTimer, JsonValue> {
  private tree = new DataTree();
  private readonly sessions = new Map<string, Session>();
  private next = 1;

  constructor(private readonly o: ServerOptions) {
    this.tree.apply({ op: 'create', path: LOCK_DIR, data: '', ephemeral: false, sequential: false, session: '' }, []);
  }

  onStart(io: ServerIo): void {
    io.setTimer({ name: 'tick' }, this.o.tick);
    this.publish(io);
  }

  onRecover(io: ServerIo): void {
    const d = io.read<Durable & Record<string, JsonValue>>('state');
    if (d) {
      this.tree = DataTree.from(d.tree);
      for (const [s, client] of d.sessions) this.sessions.set(s, { client, heard: io.now() });
      this.next = d.next;
    }
    io.setTimer({ name: 'tick' }, this.o.tick);
    this.publish(io);
  }

  onMessage(io: ServerIo, from: NodeId, msg: ZkMessage): void {
    switch (msg.type) {
      case 'connect': {
        const session = `${msg.client}.${this.next++}`;
        this.sessions.set(session, { client: from, heard: io.now() });
        this.persist(io);
        io.send(from, { type: 'connected', session });
        this.publish(io);
        return;
      }
      case 'ping': {
        const s = this.sessions.get(msg.session);
        if (!s) return io.send(from, { type: 'expired', session: msg.session });
        s.heard = io.now();
        io.send(from, { type: 'pong', session: msg.session, sent: msg.sent });
        return;
      }
      case 'request': {
        const s = this.sessions.get(msg.session);
        if (!s) return io.send(from, { type: 'expired', session: msg.session });
        s.heard = io.now();
        const fired: WatchEvent[] = [];
        const before = this.tree.lastZxid;
        const result = this.tree.apply({ ...msg.op, session: msg.session } as never, fired);
        if (this.tree.lastZxid !== before || msg.op.op === 'exists' || msg.op.op === 'children') this.persist(io);
        io.send(from, { type: 'response', session: msg.session, req: msg.req, result });
        this.notify(io, fired);
        if (this.tree.lastZxid !== before) this.publish(io);
        return;
      }
      default:
    }
  }

  onTimer(io: ServerIo): void {
    // Session expiry: silent for longer than the timeout on this server's clock.
    const now = io.now();
    const fired: WatchEvent[] = [];
    let expired = false;
    for (const [id, s] of [...this.sessions]) {
      if (now - s.heard > this.o.sessionTimeout) {
        this.sessions.delete(id);
        this.tree.apply({ op: 'close-session', session: id }, fired);
        io.log(`session ${id} expired`);
        expired = true;
      }
    }
    if (expired) {
      this.persist(io);
      this.notify(io, fired);
      this.publish(io);
    }
    io.setTimer({ name: 'tick' }, this.o.tick);
  }

  private notify(io: ServerIo, fired: WatchEvent[]): void {
    for (const e of fired) {
      const s = this.sessions.get(e.session);
      if (s) io.send(s.client, { type: 'watch', event: e, zxid: e.zxid });
    }
  }

  private persist(io: ServerIo): void {
    const d: Durable = { tree: this.tree.snapshot(), sessions: [...this.sessions].map(([id, s]) => [id, s.client]), next: this.next };
    io.put('state', d as unknown as JsonValue);
    io.fsync();
  }

  private publish(io: ServerIo): void {
    const queue = this.tree.children(LOCK_DIR).sort((a, b) => Number(a.slice(-10)) - Number(b.slice(-10))).map((name) => ({ name, owner: this.tree.get(`${LOCK_DIR}/${name}`)?.owner ?? null }));
    const s: ZkServerState = { sessions: [...this.sessions.keys()], queue, zxid: this.tree.lastZxid };
    io.publish(s as unknown as JsonValue);
  }
}
