// A ZooKeeper-like data tree as a pure, deterministic state machine (Hunt et al.,
// "ZooKeeper: Wait-free coordination for Internet-scale systems", USENIX ATC 2010,
// section 2): znodes with data, ephemeral znodes owned by a session and removed
// when it ends, sequential znodes named with a per-parent counter (10 digits), and
// one-shot watches (exists/data watches on a path, child watches on a parent) that
// fire once on the next change, and the session table (create-session,
// close-session: an operation of a closed session fails with SESSIONEXPIRED). It
// knows nothing of the engine: it is the replicated state machine of the Raft log
// (service.ts), where every change takes the zxid of its log entry (the Raft log
// index); without a zxid given, every change takes the next one of its own counter.

export interface ZNode {
  data: string;
  /** Session owning an ephemeral node, null for a persistent one. */
  owner: string | null;
  /** zxid of the create. */
  czxid: number;
  /** Per-parent counter for sequential children. */
  cversion: number;
}

export type WatchKind = 'exists' | 'children';

/** A watch that fired: the session to notify, on which path, why. */
export interface WatchEvent {
  session: string;
  path: string;
  type: 'created' | 'deleted' | 'changed' | 'children';
  /** zxid of the change that fired it. */
  zxid: number;
}

export type TreeOp =
  | { op: 'create'; path: string; data: string; ephemeral: boolean; sequential: boolean; session: string }
  | { op: 'delete'; path: string; session: string }
  | { op: 'exists'; path: string; watch: boolean; session: string }
  | { op: 'children'; path: string; watch: boolean; session: string }
  | { op: 'close-session'; session: string }
  /** Opens the session `<client>.<zxid>` (the zxid of the operation that opened it). */
  | { op: 'create-session'; client: string };

export type TreeResult =
  | { ok: true; path?: string; zxid?: number; exists?: boolean; children?: string[]; czxids?: number[]; session?: string }
  | { ok: false; error: 'NODEEXISTS' | 'NONODE' | 'NOTEMPTY' | 'SESSIONEXPIRED' };

/** The system's own session: always open (creates the tree's fixed directories). */
export const SYSTEM_SESSION = '';

export interface TreeSnapshot {
  nodes: [string, ZNode][];
  zxid: number;
  watches: [string, string[]][];
  childWatches: [string, string[]][];
  /** Open sessions, with the client node each belongs to (absent in snapshots of older trees). */
  sessions?: [string, string][];
}

const parentOf = (path: string): string => {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
};
const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export class DataTree {
  private readonly nodes = new Map<string, ZNode>([['/', { data: '', owner: null, czxid: 0, cversion: 0 }]]);
  private zxid = 0;
  /** path -> sessions with an exists/data watch on it (one-shot). */
  private readonly watches = new Map<string, Set<string>>();
  /** path -> sessions with a child watch on it (one-shot). */
  private readonly childWatches = new Map<string, Set<string>>();
  /** Open sessions -> their client node (who watch notifications go to). */
  private readonly sessions = new Map<string, string>();
  /** The zxid given to the operation being applied (undefined: take the next of the counter per change). */
  private at: number | undefined;

  static from(s: TreeSnapshot): DataTree {
    const t = new DataTree();
    t.nodes.clear();
    for (const [p, n] of s.nodes) t.nodes.set(p, { ...n });
    t.zxid = s.zxid;
    for (const [p, ss] of s.watches) t.watches.set(p, new Set(ss));
    for (const [p, ss] of s.childWatches) t.childWatches.set(p, new Set(ss));
    for (const [id, client] of s.sessions ?? []) t.sessions.set(id, client);
    return t;
  }

  snapshot(): TreeSnapshot {
    return {
      nodes: [...this.nodes].map(([p, n]) => [p, { ...n }]),
      zxid: this.zxid,
      watches: [...this.watches].map(([p, s]) => [p, [...s]]),
      childWatches: [...this.childWatches].map(([p, s]) => [p, [...s]]),
      sessions: [...this.sessions],
    };
  }

  /** Open session ids, in opening order. */
  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** The client node of an open session (undefined when closed or unknown). */
  sessionClient(session: string): string | undefined {
    return this.sessions.get(session);
  }

  get lastZxid(): number {
    return this.zxid;
  }

  get(path: string): ZNode | undefined {
    return this.nodes.get(path);
  }

  /** Children names of `path`, sorted (sequential names sort by their counter). */
  children(path: string): string[] {
    const prefix = path === '/' ? '/' : `${path}/`;
    const out: string[] = [];
    for (const p of this.nodes.keys()) if (p !== '/' && p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) out.push(nameOf(p));
    return out.sort();
  }

  /** Ephemeral nodes of a session. */
  ephemerals(session: string): string[] {
    return [...this.nodes].filter(([, n]) => n.owner === session).map(([p]) => p);
  }

  /**
   * Apply one operation; the fired watches come back in `fired`. Deterministic. `zxid`, when given,
   * is the operation's zxid (the Raft log index of its entry; it must grow): every change it makes
   * takes it. An operation of a session that is not open fails with SESSIONEXPIRED.
   */
  apply(op: TreeOp, fired: WatchEvent[], zxid?: number): TreeResult {
    this.at = zxid;
    try {
      return this.applyOp(op, fired);
    } finally {
      this.at = undefined;
    }
  }

  private nextZxid(): number {
    this.zxid = this.at ?? this.zxid + 1;
    return this.zxid;
  }

  private applyOp(op: TreeOp, fired: WatchEvent[]): TreeResult {
    if (op.op === 'create-session') {
      const session = `${op.client}.${this.nextZxid()}`;
      this.sessions.set(session, op.client);
      return { ok: true, session, zxid: this.zxid };
    }
    if (op.op === 'close-session') {
      // The session's ephemeral nodes vanish (in path order: deterministic), its watches go.
      if (!this.sessions.delete(op.session)) return { ok: true, zxid: this.zxid };
      for (const p of this.ephemerals(op.session).sort()) this.remove(p, fired);
      for (const m of [this.watches, this.childWatches]) for (const s of m.values()) s.delete(op.session);
      return { ok: true, zxid: this.zxid };
    }
    if (op.session !== SYSTEM_SESSION && !this.sessions.has(op.session)) return { ok: false, error: 'SESSIONEXPIRED' };
    switch (op.op) {
      case 'create': {
        const parent = this.nodes.get(parentOf(op.path));
        if (!parent) return { ok: false, error: 'NONODE' };
        let path = op.path;
        if (op.sequential) {
          path = `${op.path}${String(parent.cversion).padStart(10, '0')}`;
        }
        if (this.nodes.has(path)) return { ok: false, error: 'NODEEXISTS' };
        parent.cversion++;
        const zxid = this.nextZxid();
        this.nodes.set(path, { data: op.data, owner: op.ephemeral ? op.session : null, czxid: zxid, cversion: 0 });
        this.fire(this.watches, path, 'created', fired);
        this.fire(this.childWatches, parentOf(path), 'children', fired);
        return { ok: true, path, zxid };
      }
      case 'delete': {
        if (!this.nodes.has(op.path) || op.path === '/') return { ok: false, error: 'NONODE' };
        if (this.children(op.path).length > 0) return { ok: false, error: 'NOTEMPTY' };
        this.remove(op.path, fired);
        return { ok: true, zxid: this.zxid };
      }
      case 'exists': {
        const exists = this.nodes.has(op.path);
        if (op.watch) this.add(this.watches, op.path, op.session);
        return { ok: true, exists };
      }
      case 'children': {
        if (!this.nodes.has(op.path)) return { ok: false, error: 'NONODE' };
        if (op.watch) this.add(this.childWatches, op.path, op.session);
        const children = this.children(op.path);
        const base = op.path === '/' ? '/' : `${op.path}/`;
        return { ok: true, children, czxids: children.map((c) => this.nodes.get(base + c)?.czxid ?? 0) };
      }
    }
  }

  private remove(path: string, fired: WatchEvent[]): void {
    this.nodes.delete(path);
    this.nextZxid();
    this.fire(this.watches, path, 'deleted', fired);
    this.fire(this.childWatches, parentOf(path), 'children', fired);
  }

  private add(m: Map<string, Set<string>>, path: string, session: string): void {
    let s = m.get(path);
    if (!s) m.set(path, (s = new Set()));
    s.add(session);
  }

  /** One-shot: a watch fires once and is gone. */
  private fire(m: Map<string, Set<string>>, path: string, type: WatchEvent['type'], fired: WatchEvent[]): void {
    const s = m.get(path);
    if (!s) return;
    m.delete(path);
    for (const session of [...s].sort()) fired.push({ session, path, type, zxid: this.zxid });
  }
}
