// A ZooKeeper-like data tree as a pure, deterministic state machine (Hunt et al.,
// "ZooKeeper: Wait-free coordination for Internet-scale systems", USENIX ATC 2010,
// section 2): znodes with data, ephemeral znodes owned by a session and removed
// when it ends, sequential znodes named with a per-parent counter (10 digits), and
// one-shot watches (exists/data watches on a path, child watches on a parent) that
// fire once on the next change. Every mutation gets the next zxid. It knows nothing
// of the engine, so it can be the replicated state machine of a consensus log
// (apply(op) -> result, deterministic) as well as the state of a single server.

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
  | { op: 'close-session'; session: string };

export type TreeResult =
  | { ok: true; path?: string; zxid?: number; exists?: boolean; children?: string[] }
  | { ok: false; error: 'NODEEXISTS' | 'NONODE' | 'NOTEMPTY' };

export interface TreeSnapshot {
  nodes: [string, ZNode][];
  zxid: number;
  watches: [string, string[]][];
  childWatches: [string, string[]][];
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

  static from(s: TreeSnapshot): DataTree {
    const t = new DataTree();
    t.nodes.clear();
    for (const [p, n] of s.nodes) t.nodes.set(p, { ...n });
    t.zxid = s.zxid;
    for (const [p, ss] of s.watches) t.watches.set(p, new Set(ss));
    for (const [p, ss] of s.childWatches) t.childWatches.set(p, new Set(ss));
    return t;
  }

  snapshot(): TreeSnapshot {
    return {
      nodes: [...this.nodes].map(([p, n]) => [p, { ...n }]),
      zxid: this.zxid,
      watches: [...this.watches].map(([p, s]) => [p, [...s]]),
      childWatches: [...this.childWatches].map(([p, s]) => [p, [...s]]),
    };
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

  /** Apply one operation; the fired watches come back in `fired`. Deterministic. */
  apply(op: TreeOp, fired: WatchEvent[]): TreeResult {
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
        const zxid = ++this.zxid;
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
        return { ok: true, children: this.children(op.path) };
      }
      case 'close-session': {
        // The session's ephemeral nodes vanish (in path order: deterministic), its watches go.
        for (const p of this.ephemerals(op.session).sort()) this.remove(p, fired);
        for (const m of [this.watches, this.childWatches]) for (const s of m.values()) s.delete(op.session);
        return { ok: true, zxid: this.zxid };
      }
    }
  }

  private remove(path: string, fired: WatchEvent[]): void {
    this.nodes.delete(path);
    this.zxid++;
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
