// The fault state of a run as checkers see it: which nodes are running (up and
// not paused), which links are cut by a partition or one-way block or slowed by a
// `slow` fault, whether a
// loss burst is on, when a clock fault last moved a node's clock and by how
// much, and since when each of these has held. Liveness properties
// that must hold WHILE faults last (not only after the quiesce point) are
// conditioned on it: "whenever a majority has been up and mutually connected
// for k election timeouts, a leader exists among them".
//
// The simulation calls the update methods (nodeRunning, linkBlocked, linkSlowed, clockSet, setLossBurst)
// from its fault handling; checkers read it through `SimView.faults`. Times are
// true time (µs). Probabilistic loss of the scenario's link model is not a fault:
// a link with 1% loss is open.

import { atOrFail } from './assert.ts';
import type { Micros, NodeId } from './types.ts';

/** Read-only fault state given to checkers (`SimView.faults`). Every method throws RangeError for an unknown node id. */
export interface FaultStateView {
  /** Bumped on every change of a node's running state, of a link's blocking or of the loss burst: a checker may recompute what it derives from the fault state only when this changes. */
  readonly epoch: number;
  /** Up (started, not crashed) and not paused. */
  running(id: NodeId): boolean;
  /** True time since which the node has been running without interruption; undefined while it is not running. */
  runningSince(id: NodeId): Micros | undefined;
  /**
   * No partition or block cuts messages from `from` to `to`, and no `slow` fault stretches their
   * latency (the nodes' own state aside). A slowed link still delivers, but a liveness property
   * conditioned on a healthy link must not judge a protocol by timeouts that the slow fault broke,
   * so it counts as a fault here, as a cut does.
   */
  linkOpen(from: NodeId, to: NodeId): boolean;
  /**
   * A partition or block cuts messages from `from` to `to`: nothing sent gets through until it heals.
   * Not the same as `!linkOpen`: a slowed link is not open but not cut (its messages arrive, late),
   * so a checker that reasons "cut off, so its lease lapses" must use this, not `linkOpen`.
   */
  linkCut(from: NodeId, to: NodeId): boolean;
  /** True time since which the link from `from` to `to` has been open; undefined while it is cut. */
  linkOpenSince(from: NodeId, to: NodeId): Micros | undefined;
  /** Both nodes running and both directions open: they can exchange messages (subject to the link model's loss). */
  connected(a: NodeId, b: NodeId): boolean;
  /** True time since which `connected(a, b)` has held without interruption; undefined while it does not hold. */
  connectedSince(a: NodeId, b: NodeId): Micros | undefined;
  /** True time a clock fault last set the node's clock (offset and/or drift); undefined if none ever did. */
  clockSetAt(id: NodeId): Micros | undefined;
  /** How far (µs, absolute) that clock fault moved the node's local time at once; 0 if none ever did. */
  clockJump(id: NodeId): Micros;
  /** Extra loss probability of the current loss burst (0: none). */
  readonly lossBurst: number;
  /** True time the current loss-burst level (possibly 0) was set. */
  readonly lossBurstSince: Micros;
}

const NEVER = -1;

export class FaultState implements FaultStateView {
  epoch = 0;
  lossBurst = 0;
  lossBurstSince: Micros = 0;
  private readonly n: number;
  /** runningFrom[i]: true time node i started running, NEVER while it is not. */
  private readonly runningFrom: number[];
  /** openFrom[a * n + b]: true time the link a -> b was last opened (0 at the start), NEVER while it is cut or slowed. */
  private readonly openFrom: number[];
  /** cut[a * n + b]: 1 while a partition or block cuts a -> b. */
  private readonly cut: Uint8Array;
  /** slowed[a * n + b]: 1 while a `slow` fault stretches a -> b's latency. */
  private readonly slowed: Uint8Array;

  private readonly clockAt: number[];
  private readonly clockJumps: number[];

  constructor(private readonly index: ReadonlyMap<NodeId, number>) {
    this.n = index.size;
    this.runningFrom = new Array<number>(this.n).fill(NEVER);
    this.openFrom = new Array<number>(this.n * this.n).fill(0);
    this.cut = new Uint8Array(this.n * this.n);
    this.slowed = new Uint8Array(this.n * this.n);
    this.clockAt = new Array<number>(this.n).fill(NEVER);
    this.clockJumps = new Array<number>(this.n).fill(0);
  }

  // ---------------------------------------------------------------- updates (the simulation only)

  /** Node `i` became running (started, restarted, resumed) or stopped (crashed, paused) at `t`. */
  nodeRunning(i: number, running: boolean, t: Micros): void {
    const was = this.runningFrom[i] !== NEVER;
    if (was === running) return;
    this.runningFrom[i] = running ? t : NEVER;
    this.epoch++;
  }

  /** The link a -> b was cut (blocked) or reopened at `t`. */
  linkBlocked(a: number, b: number, blocked: boolean, t: Micros): void {
    this.cut[a * this.n + b] = blocked ? 1 : 0;
    this.reopen(a * this.n + b, t);
  }

  /** A `slow` fault began (`slowed`) or ended on the link a -> b at `t`. */
  linkSlowed(a: number, b: number, slowed: boolean, t: Micros): void {
    this.slowed[a * this.n + b] = slowed ? 1 : 0;
    this.reopen(a * this.n + b, t);
  }

  /** Link k is open while neither cut nor slowed; it opens at `t` when the last of them ends. */
  private reopen(k: number, t: Micros): void {
    const open = this.cut[k] === 0 && this.slowed[k] === 0;
    const wasOpen = this.openFrom[k] !== NEVER;
    if (wasOpen === open) return;
    this.openFrom[k] = open ? t : NEVER;
    this.epoch++;
  }

  /** A clock fault set node `i`'s clock at `t`, moving its local time by `jump` µs (either sign). */
  clockSet(i: number, t: Micros, jump: Micros): void {
    this.clockAt[i] = t;
    this.clockJumps[i] = Math.abs(jump);
    this.epoch++;
  }

  setLossBurst(p: number, t: Micros): void {
    if (p === this.lossBurst) return;
    this.lossBurst = p;
    this.lossBurstSince = t;
    this.epoch++;
  }

  // ---------------------------------------------------------------- FaultStateView

  running(id: NodeId): boolean {
    return this.runningFrom[this.idx(id)] !== NEVER;
  }

  runningSince(id: NodeId): Micros | undefined {
    const t = atOrFail(this.runningFrom, this.idx(id), 'runningFrom');
    return t === NEVER ? undefined : t;
  }

  clockSetAt(id: NodeId): Micros | undefined {
    const t = atOrFail(this.clockAt, this.idx(id), 'clockAt');
    return t === NEVER ? undefined : t;
  }

  clockJump(id: NodeId): Micros {
    return atOrFail(this.clockJumps, this.idx(id), 'clockJumps');
  }

  linkOpen(from: NodeId, to: NodeId): boolean {
    return this.openFrom[this.idx(from) * this.n + this.idx(to)] !== NEVER;
  }

  linkCut(from: NodeId, to: NodeId): boolean {
    return this.cut[this.idx(from) * this.n + this.idx(to)] === 1;
  }

  linkOpenSince(from: NodeId, to: NodeId): Micros | undefined {
    const t = atOrFail(this.openFrom, this.idx(from) * this.n + this.idx(to), 'openFrom');
    return t === NEVER ? undefined : t;
  }

  connected(a: NodeId, b: NodeId): boolean {
    return this.connectedSince(a, b) !== undefined;
  }

  connectedSince(a: NodeId, b: NodeId): Micros | undefined {
    const i = this.idx(a);
    const j = this.idx(b);
    const parts = [atOrFail(this.runningFrom, i, 'runningFrom'), atOrFail(this.runningFrom, j, 'runningFrom'), atOrFail(this.openFrom, i * this.n + j, 'openFrom'), atOrFail(this.openFrom, j * this.n + i, 'openFrom')];
    let since = 0;
    for (const p of parts) {
      if (p === NEVER) return undefined;
      if (p > since) since = p;
    }
    return since;
  }

  private idx(id: NodeId): number {
    const i = this.index.get(id);
    if (i === undefined) throw new RangeError(`unknown node "${id}"`);
    return i;
  }
}
