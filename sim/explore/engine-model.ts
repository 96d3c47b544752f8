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
// Abstracted away: true time and timer due times (the driver lets any armed
// timer fire and any message arrive next, so due times never restrict what may
// happen: see driver.ts), message ids and the random streams' positions
// (random draws here only pick timer delays, which the time abstraction ignores,
// or client workloads, which the profiles fix). Checker memory is not part of
// the state: checkers that judge history (not the current state) are checked
// on the first path that reaches a state only.

import { SimDisk } from '../engine/disk.ts';
import type { SimView } from '../engine/types.ts';
import type { PreparedRun } from '../scenario/resolve.ts';
import { Driver, type DriveBudgets, type DriveChoice } from './driver.ts';
import type { ExploreModel, ModelViolation } from './explorer.ts';
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
  /** Reachability goals that hold in a state. */
  goals?: (view: SimView) => string[];
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



export class EngineModel implements ExploreModel<Driver> {
  private readonly skipKeys: ReadonlySet<string>;
  constructor(
    readonly run: PreparedRun,
    readonly opts: EngineModelOptions,
  ) {
    this.skipKeys = new Set(['opts', ...(opts.skipKeys ?? [])]);
  }

  initial(): Driver {
    return new Driver(this.run, { budgets: this.opts.budgets, coalesce: this.opts.coalesce ?? false });
  }

  restore(path: readonly number[]): Driver {
    const d = this.initial();
    for (const i of path) d.take(i);
    return d;
  }

  choices(d: Driver): string[] {
    return d.choices().map((c) => c.label);
  }

  step(d: Driver, i: number): Driver {
    // Nodes the step does not touch stay as in `d`: reuse their fingerprint parts.
    const touched = d.touches(d.choices()[i] as DriveChoice);
    const parts = new Map<string, string>();
    for (const n of this.run.nodes) if (n.id !== touched) parts.set(n.id, this.nodePart(d, n.id));
    // The last choice of `d` may advance `d` itself (see ExploreModel.step): one replay saved per state.
    const next = i === d.choices().length - 1 ? d : this.restore(d.path);
    next.take(i);
    next.fpParts.clear();
    for (const [id, part] of parts) next.fpParts.set(id, part);
    return next;
  }

  private nodePart(d: Driver, id: string): string {
    let part = d.fpParts.get(id);
    if (part !== undefined) return part;
    const sim = d.sim;
    const disk = sim.diskOf(id);
    const up = sim.isUp(id);
    let volatile = '';
    if (disk.unsynced > 0) {
      const v: Record<string, unknown> = {};
      for (const k of disk.keys()) v[k] = disk.get(k);
      volatile = canonical(v);
    }
    part =
      `${id}:${up ? 'up' : 'down'}` +
      `|t${canonical(sim.armedTimers(id).sort())}` +
      `|d${canonical(disk.durableView())}` +
      `|v${volatile}` +
      `|p${up ? '' : canonical(sim.published(id))}` +
      `|s${up ? canonical((this.opts.nodeState ?? nodeGraph)(sim, id), { skip: isHandle, skipKeys: this.skipKeys }) : ''}`;
    d.fpParts.set(id, part);
    return part;
  }

  fingerprint(d: Driver, _symmetry: boolean): string {
    const parts: string[] = [`${d.crashes},${d.losses},${d.duplicates}`];
    for (const n of this.run.nodes) parts.push(this.nodePart(d, n.id));
    const flight: string[] = [];
    for (const p of d.pending()) if (p.kind === 'deliver') flight.push(`${p.from}>${p.to}:${canonical(p.msg)}`);
    parts.push(flight.sort().join(';'));
    return parts.join('\n');
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
