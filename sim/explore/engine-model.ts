// The real protocol code as an explore model: a state is a Driver (a driven
// Simulation) rebuilt by replaying its choice path, since live node objects
// cannot be copied in general (they hold their engine context). Each successor
// costs one replay of the path; fingerprints keep the table small.
//
// The fingerprint of a state (what two states must agree on to be merged):
// - every node: up or crashed, the names of its armed timers, its disk (durable
//   records and unsynced writes, separately: a crash keeps only the first), its
//   last published state while it is down (when up, it is a function of the
//   node's fields), and its live object graph written canonically (own
//   fields of the behaviour and everything it reaches, Maps/Sets sorted;
//   functions and engine handles such as the context, the random stream and the
//   disk object left out) unless the protocol's explore profile gives an
//   abstraction of it (see profiles.ts);
// - the multiset of messages in flight (sender, receiver, content; not the ids);
// - the budgets used (crashes, losses, duplicates).
// Abstracted away (untimed models; a timed model, the lock's, keeps true time, due
// times and arrivals in the state: see timedPart): true time and timer due times (the driver lets any armed
// timer fire and any message arrive next, so due times never restrict what may
// happen: see driver.ts), message ids and the random streams' positions
// (random draws here only pick timer delays, which the time abstraction ignores,
// or client workloads, which the profiles fix). Checker memory is not part of
// the state: checkers that judge history (not the current state) are checked
// on the first path that reaches a state only.

import { SimDisk } from '../engine/disk.ts';
import type { SimView } from '../engine/types.ts';
import type { PreparedRun } from '../scenario/resolve.ts';
import { Driver, timerKind, type DriveBudgets, type DriveChoice, type DriverOptions } from './driver.ts';
import type { ExploreModel, ModelViolation, PorStep } from './explorer.ts';
import { canonical } from './fingerprint.ts';

export interface EngineModelOptions {
  budgets: DriveBudgets;
  /** A protocol's abstraction of one node's state (default: its whole object graph). */
  nodeState?: (view: SimView, id: string) => unknown;
  /** False for states beyond the protocol's bounds (e.g. a term limit). */
  withinBounds?: (view: SimView) => boolean;
  /** States with more messages in flight are not expanded (a bound, like the depth). */
  maxInFlight?: number;
  /** Identical copies of a message in flight on one link are merged (see Driver's coalesce). */
  coalesce?: boolean;
  /** Fields of node objects left out of fingerprints, besides `opts` (see profiles.ts for why each is sound). */
  skipKeys?: readonly string[];
  /** Fields of durable disk records left out of fingerprints (clock readings no decision reads; see profiles.ts). */
  diskSkipKeys?: readonly string[];
  /** Reachability goals that hold in a state. */
  goals?: (view: SimView) => string[];
  /** Dead messages, removed from the state (DriverOptions.dead; the protocol's declaration in its profile). */
  dead?: DriverOptions['dead'];
  /** Interchangeable nodes, for `--symmetry` (see SymmetrySpec). */
  symmetry?: SymmetrySpec;
  /**
   * Expand states from snapshots (Driver.clone) instead of replaying their paths: the most snapshots BFS
   * keeps (see ExploreModel.snapshots). Absent or 0: path replay.
   */
  snapshots?: number;
  /** Functions copies may share with their source (DriverOptions.shareable; from the profile). */
  shareable?: readonly string[];
  /**
   * Timed driving (DriverOptions.timed; the lock profile): timers fire in due order unless the drift budget
   * (DriveBudgets.drift) is drawn on. True time, the armed timers' due times and the messages' scheduled
   * arrivals are then part of the fingerprint (they decide what may happen next), and no two steps are
   * independent for partial-order reduction (each may move time).
   */
  timed?: boolean;
}

/**
 * Nodes that are interchangeable: same role, same configuration apart from their ids, and code that
 * treats them alike (no decision reads a node's id or its position in a list, except as an identity).
 * With symmetry on, a state's fingerprint is the least of its texts over every permutation of each
 * group, with node ids renamed everywhere they appear as whole strings (fields, map keys, set members,
 * messages, disk records, the key part of timer names `name/key`): exact canonicalisation, as TLC's
 * SYMMETRY does, and sound when the permutations are automorphisms of the transition relation.
 */
export interface SymmetrySpec {
  groups: readonly (readonly string[])[];
  /** Numeric fields of some nodes that hold a position in a list of ids (raft client: `target` in its server list). */
  positions?: { nodes: readonly string[]; keys: readonly string[]; list: readonly string[] };
}

/** Every permutation of each group, combined: renames from id to id (the identity first). */
export function groupPermutations(groups: readonly (readonly string[])[]): Map<string, string>[] {
  const perms = (xs: readonly string[]): string[][] => {
    if (xs.length <= 1) return [[...xs]];
    const out: string[][] = [];
    xs.forEach((x, i) => {
      for (const rest of perms([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
    });
    return out;
  };
  let renames: Map<string, string>[] = [new Map()];
  for (const g of groups) {
    const next: Map<string, string>[] = [];
    for (const base of renames) {
      for (const p of perms(g)) {
        const m = new Map(base);
        g.forEach((id, i) => m.set(id, p[i] as string));
        next.push(m);
      }
    }
    renames = next;
  }
  return renames;
}

/**
 * Engine handles are not node state: disks (their content is written apart), and plain objects that
 * carry functions (a node's context and its Io: closures over the engine). A class instance with a
 * function-valued field (RaftNode keeps its random draw as `random`) is node state: it is written
 * without its functions. Skipping every object with a function field used to leave RaftNode (term,
 * role, log, votes, commitIndex) out of raft fingerprints, merging states that differ in them.
 */
export function isHandle(o: object): boolean {
  if (o instanceof SimDisk) return true;
  const proto = Object.getPrototypeOf(o) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k of Object.keys(o)) if (typeof (o as Record<string, unknown>)[k] === 'function') return true;
  return false;
}

/**
 * Default node state: the behaviour's object graph without its `opts` fields
 * (every node class here keeps its constant configuration there; it is the same
 * in every state, so it only costs time to hash).
 */
export function nodeGraph(view: SimView, id: string): unknown {
  return view.behaviour(id);
}



/**
 * Timed runs: true time, and the due time of every live timer and every message in flight, as offsets from
 * it (sorted). With the node states (which hold absolute clock readings) this decides every later step.
 */
function timedPart(d: Driver): string {
  const now = d.sim.now;
  const out: string[] = [];
  for (const p of d.pending()) {
    if (p.kind === 'timer') out.push(`${p.node} ${p.name}@${p.t - now}`);
    else if (p.kind === 'deliver') out.push(`${p.from}>${p.to} ${canonical(p.msg)}@${p.t - now}`);
  }
  return `now=${now} ${out.sort().join(';')}`;
}

/** Entries of the symmetric-text memo (texts of about 1 KB, one per permutation: tens of MB at most). */
const MEMO_MAX = 4096;

export class EngineModel implements ExploreModel<Driver> {
  private readonly skipKeys: ReadonlySet<string>;
  private readonly diskSkip: { skipKeys?: ReadonlySet<string> };
  /** Renames for symmetry (index 0: the identity); just the identity without a SymmetrySpec. */
  private readonly renames: Map<string, string>[];
  private readonly positionNodes: ReadonlySet<string>;
  private readonly positionKeys: ReadonlySet<string>;
  /**
   * Symmetric texts memoised by plain text (a node's part, a message): equal plain texts are equal
   * states, so their renamed texts are equal too. Node states and messages recur across many global
   * states; cleared when it reaches MEMO_MAX entries (a bound on memory, not on correctness).
   */
  private readonly memo = new Map<string, string[]>();
  constructor(
    readonly run: PreparedRun,
    readonly opts: EngineModelOptions,
  ) {
    this.skipKeys = new Set(['opts', ...(opts.skipKeys ?? [])]);
    this.diskSkip = opts.diskSkipKeys && opts.diskSkipKeys.length > 0 ? { skipKeys: new Set(opts.diskSkipKeys) } : {};
    this.renames = groupPermutations(opts.symmetry?.groups ?? []);
    this.positionNodes = new Set(opts.symmetry?.positions?.nodes ?? []);
    this.positionKeys = new Set(opts.symmetry?.positions?.keys ?? []);
  }

  /** The texts of one thing under every rename, memoised by its plain text. */
  private memoised(plain: string, renamed: (p: number) => string): string[] {
    let texts = this.memo.get(plain);
    if (texts === undefined) {
      if (this.memo.size >= MEMO_MAX) this.memo.clear();
      texts = this.renames.map((_, p) => renamed(p));
      this.memo.set(plain, texts);
    }
    return texts;
  }

  /** Whether `--symmetry` can reduce anything here. */
  get symmetric(): boolean {
    return this.renames.length > 1;
  }

  /** Runs the explorer no longer needs, reused by the next copies (Driver.clone's `into`). */
  private readonly pool: Driver[] = [];

  release(d: Driver): void {
    if (this.snapshots > 0 && this.pool.length < 64 && !d.sim.halted) this.pool.push(d);
  }

  /** Snapshots BFS may keep (0: states are rebuilt by replaying their paths). */
  get snapshots(): number {
    return this.opts.snapshots ?? 0;
  }

  initial(): Driver {
    return new Driver(this.run, { budgets: this.opts.budgets, coalesce: this.opts.coalesce ?? false, ...(this.opts.dead ? { dead: this.opts.dead } : {}), ...(this.opts.timed === true ? { timed: true } : {}), ...(this.snapshots > 0 ? { snapshots: true, shareable: this.opts.shareable ?? [] } : {}) });
  }

  stepInPlace(d: Driver, i: number): Driver {
    const touched = d.touches(d.choices()[i] as DriveChoice);
    d.take(i);
    for (const key of [...d.fpParts.keys()]) if (key.slice(0, key.indexOf('\u0000')) === touched) d.fpParts.delete(key);
    return d;
  }

  restore(path: readonly number[]): Driver {
    const d = this.initial();
    for (const i of path) d.take(i);
    return d;
  }

  /** Whether some explored state had an armed timer that its kind's budget (DriveBudgets.timers) kept from firing. */
  timersBound = false;

  choices(d: Driver): string[] {
    const out = d.choices().map((c) => c.label);
    if (d.timerRefused) this.timersBound = true;
    return out;
  }

  step(d: Driver, i: number): Driver {
    // Nodes the step does not touch stay as in `d`: reuse their fingerprint parts.
    const touched = d.touches(d.choices()[i] as DriveChoice);
    const parts = new Map<string, string>();
    for (const [key, part] of d.fpParts) if (key.slice(0, key.indexOf('\u0000')) !== touched) parts.set(key, part);
    // With snapshots: a copy of `d` (never `d` itself: the explorer may keep it as an ancestor).
    // Else the last choice of `d` may advance `d` itself (see ExploreModel.step): one replay saved per state.
    const next = this.snapshots > 0 ? d.clone(undefined, this.pool.pop()) : i === d.choices().length - 1 ? d : this.restore(d.path);
    next.take(i);
    next.fpParts.clear();
    for (const [id, part] of parts) next.fpParts.set(id, part);
    return next;
  }

  /** One node's part of the fingerprint; with `p`, symmetric: node ids renamed by `this.renames[p]` (cached in the driver until the node is touched). */
  private nodePart(d: Driver, id: string, p?: number): string {
    const key = `${id}\u0000${p ?? '-'}`;
    let part = d.fpParts.get(key);
    if (part !== undefined) return part;
    const sim = d.sim;
    const disk = sim.diskOf(id);
    const up = sim.isUp(id);
    const rename = p === undefined ? undefined : this.renames[p];
    const r = (x: string): string => rename?.get(x) ?? x;
    const opts = rename ? { rename } : {};
    let volatile = '';
    if (disk.unsynced > 0) {
      const v: Record<string, unknown> = {};
      for (const k of disk.keys()) v[k] = disk.get(k);
      volatile = canonical(v, opts);
    }
    const timers = sim.armedTimers(id).map((t) => (rename ? t.split('/').map(r).join('/') : t));
    const positions = rename && this.positionNodes.has(id) ? { keys: this.positionKeys, ids: this.opts.symmetry?.positions?.list ?? [] } : undefined;
    part =
      `${r(id)}:${up ? 'up' : 'down'}` +
      `|t${canonical(timers.sort())}` +
      `|d${canonical(disk.durableView(), { ...opts, ...this.diskSkip })}` +
      `|v${volatile}` +
      `|p${up ? '' : canonical(sim.published(id), opts)}` +
      `|s${up ? canonical((this.opts.nodeState ?? nodeGraph)(sim, id), { skip: isHandle, skipKeys: this.skipKeys, ...opts, ...(positions ? { positions } : {}) }) : ''}`;
    d.fpParts.set(key, part);
    return part;
  }

  fingerprint(d: Driver, symmetry: boolean): string {
    const counters = this.opts.timed === true ? `${d.used}\n${timedPart(d)}` : d.used;
    const flight = d.pending().filter((p) => p.kind === 'deliver');
    if (!symmetry || !this.symmetric) {
      const parts: string[] = [counters];
      for (const n of this.run.nodes) parts.push(this.nodePart(d, n.id));
      parts.push(flight.map((p) => `${p.from}>${p.to}:${canonical(p.msg)}`).sort().join(';'));
      return parts.join('\n');
    }
    // The least text over the permutations: the same for every state of an orbit.
    const nodeTexts = this.run.nodes.map((n) => this.memoised(this.nodePart(d, n.id), (p) => this.nodePart(d, n.id, p)));
    const msgTexts = flight.map((m) => this.memoised(`${m.from}>${m.to}:${canonical(m.msg)}`, (p) => {
      const rename = this.renames[p] as Map<string, string>;
      const r = (x: string): string => rename.get(x) ?? x;
      return `${r(m.from)}>${r(m.to)}:${canonical(m.msg, { rename })}`;
    }));
    let best: string | undefined;
    for (let p = 0; p < this.renames.length; p++) {
      const parts = nodeTexts.map((t) => t[p] as string).sort();
      const msgs = msgTexts.map((t) => t[p] as string).sort();
      const text = [counters, ...parts, msgs.join(';')].join('\n');
      if (best === undefined || text < best) best = text;
    }
    return best as string;
  }

  /**
   * Partial-order reduction (explorer `por`): a delivery or a timer acts on one node only (its handler runs
   * there; nodes share nothing else: per-node random streams, disks and timers), so two of them at
   * different nodes commute. Keys name messages by sender, receiver and content (ids differ from path to
   * path; with merged copies at most one such message is in flight on a link). With `coalesce`, a step at
   * x that sends a message identical to one in flight on x->z merges it only while z has not consumed the
   * older copy: a delivery at z of a message from x also depends on every step at x (`reads`). Crashes,
   * restarts, and losses or duplications (they draw on shared budgets) are dependent with everything.
   */
  porStep(d: Driver, i: number): PorStep {
    const c = d.choices()[i] as DriveChoice;
    // Timed: a step may move true time, which every later step reads: dependent with everything.
    if (this.opts.timed === true) return { key: c.label, node: null, reads: null };
    if (c.kind === 'timer') {
      const node = d.touches(c) as string;
      // Timers of a bounded kind draw on one budget: firing one may disable another (DriveBudgets.timers).
      const t = this.opts.budgets.timers;
      if (t !== undefined) {
        const q = c.q;
        const p = d.pending().find((e) => e.q === q);
        const kind = p?.kind === 'timer' ? timerKind(p.name) : '';
        if (t['*'] !== undefined) return { key: c.label, node, reads: null, budget: '*' };
        if (t[kind] !== undefined) return { key: c.label, node, reads: null, budget: kind };
      }
      return { key: c.label, node, reads: null };
    }
    if (c.kind === 'deliver') {
      const q = c.q;
      const p = d.pending().find((e) => e.q === q);
      if (p?.kind === 'deliver') return { key: `deliver ${p.from}>${p.to}:${canonical(p.msg)}`, node: p.to, reads: this.opts.coalesce ? p.from : null };
    }
    return { key: c.kind === 'crash' || c.kind === 'restart' ? c.label : `${c.kind} ${i}`, node: null, reads: null };
  }

  violation(d: Driver): ModelViolation | undefined {
    const v = d.violation;
    return v ? { invariant: v.invariant, message: v.message } : undefined;
  }

  goals(d: Driver): string[] {
    return this.opts.goals?.(d.sim) ?? [];
  }

  withinBounds(d: Driver): boolean {
    if (this.opts.maxInFlight !== undefined && d.inFlight > this.opts.maxInFlight) return false;
    return this.opts.withinBounds?.(d.sim) ?? true;
  }
}
