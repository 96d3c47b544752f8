// Applying one fault action to the cluster now: crash, restart, pause, resume,
// partition, isolate, block, heal, clock, loss, duplicate, slow, corrupt, quiesce and reseed. Targets are
// already resolved (fault-timeline.ts resolves `@role` and `$label` when a fault
// fires). Each application is traced and counted in RunStats.faults, and updates
// the FaultState that liveness checkers read.

import { assert } from './assert.ts';
import type { FaultAction } from './config.ts';
import { K_DELIVER, type SimEvent } from './events.ts';
import type { FaultState } from './fault-state.ts';
import type { HookLists } from './hooks.ts';
import type { Network } from './network.ts';
import type { NodeSlot } from './node-slot.ts';
import type { Rng } from './random.ts';
import type { Micros, NodeId, TraceEvent } from './types.ts';

/** What fault application needs from the event loop. */
export interface FaultHost {
  now(): Micros;
  readonly rec: boolean;
  emit(ev: TraceEvent): void;
  /** The slot of a node id (RangeError for an unknown id). */
  slot(id: NodeId): NodeSlot;
  readonly slots: readonly NodeSlot[];
  /** Queue an event again (events held for a paused node). */
  push(ev: SimEvent): void;
  /** Run a node's handler as the current node (exceptions become violations). */
  runHandler(slot: NodeSlot, fn: () => void): void;
  /** The quiesce point was reached at `t`: start the liveness phase (log, disarm waiting triggers). */
  quiesced(t: Micros): void;
  countFault(): void;
  /** The checkers' typed hooks (Checker.on: `start` with restart true). */
  readonly hooks: HookLists;
  /** A fault that changed nothing (restart of an up node, resume of a running one, crash of a crashed one, corrupt of a disk with no such durable record): `what` says which. */
  noopFault?(kind: string, what: string): void;
}

export class FaultApplier {
  constructor(
    private readonly host: FaultHost,
    private readonly network: Network,
    private readonly faultState: FaultState,
    /** The fault stream: corruption picks (and the network's loss bursts). */
    private readonly faultRng: Rng,
    /** Probability that a crash corrupts one durable record (DiskConfig.corruptOnCrash). */
    private readonly corruptOnCrash: number,
  ) {}

  /** Apply a resolved fault now. Faults that change nothing (crash a crashed node) are counted but not traced. */
  apply(f: FaultAction): void {
    const host = this.host;
    host.countFault();
    const t = host.now();
    switch (f.kind) {
      case 'crash': {
        const slot = host.slot(f.node);
        if (!slot.up) return host.noopFault?.('crash', `crash of ${f.node}, which was already down`);
        slot.up = false;
        slot.paused = false;
        slot.behaviour = undefined;
        this.faultState.nodeRunning(slot.idx, false, t);
        slot.timers.clear();
        // Events held for a paused node die with it: messages are dropped, timers are gone.
        for (const ev of slot.pausedQueue) if (ev.k === K_DELIVER) this.network.drop(ev.id, ev.from, ev.to, 'crashed');
        slot.pausedQueue = [];
        const lostWrites = slot.disk.crash();
        if (host.rec) host.emit({ seq: 0, t, type: 'crash', node: slot.spec.id, lostWrites });
        if (this.corruptOnCrash > 0 && this.faultRng.next() < this.corruptOnCrash) this.corrupt(slot, undefined);
        return;
      }
      case 'restart': {
        const slot = host.slot(f.node);
        if (slot.up) return host.noopFault?.('restart', `restart of ${f.node}, which was up`);
        slot.up = true;
        slot.started = true;
        slot.behaviour = slot.spec.create();
        this.faultState.nodeRunning(slot.idx, true, t);
        if (host.rec) host.emit({ seq: 0, t, type: 'restart', node: slot.spec.id });
        for (const h of host.hooks.start) h(slot.spec.id, true);
        const b = slot.behaviour;
        host.runHandler(slot, () => (b.onRecover ? b.onRecover(slot.ctx) : b.onStart(slot.ctx)));
        return;
      }
      case 'pause': {
        const slot = host.slot(f.node);
        if (!slot.up || slot.paused) return host.noopFault?.('pause', `pause of ${f.node}, which was ${slot.up ? 'already paused' : 'down'}`);
        slot.paused = true;
        this.faultState.nodeRunning(slot.idx, false, t);
        if (host.rec) host.emit({ seq: 0, t, type: 'pause', node: slot.spec.id });
        return;
      }
      case 'resume': {
        const slot = host.slot(f.node);
        if (!slot.paused) return host.noopFault?.('resume', `resume of ${f.node}, which was not paused`);
        this.resume(slot);
        return;
      }
      case 'partition': {
        assert('groups' in f, 'a partition aimed at a node is resolved before it is applied');
        const pairs: [number, number][] = [];
        const group = new Map<number, number>();
        f.groups.forEach((g, gi) => g.forEach((id) => group.set(host.slot(id).idx, gi)));
        for (const [a, ga] of group) for (const [b, gb] of group) if (ga !== gb) pairs.push([a, b]);
        this.network.block(pairs, f.groups.map((g) => g.join(',')).join(' | '));
        return;
      }
      case 'isolate': {
        const i = host.slot(f.node).idx;
        const pairs: [number, number][] = [];
        for (let j = 0; j < host.slots.length; j++) if (j !== i) pairs.push([i, j], [j, i]);
        this.network.block(pairs, `isolate ${f.node}`);
        return;
      }
      case 'block': {
        this.network.block([[host.slot(f.from).idx, host.slot(f.to).idx]], `${f.from} -/-> ${f.to}`);
        return;
      }
      case 'heal':
        this.network.heal();
        return;
      case 'clock': {
        const slot = host.slot(f.node);
        const { jump, offset } = slot.clock.set(t, f.offset, f.drift);
        this.faultState.clockSet(slot.idx, t, jump);
        if (host.rec) host.emit({ seq: 0, t, type: 'clock', node: slot.spec.id, offset, drift: slot.clock.drift });
        return;
      }
      case 'loss':
        this.network.setLossBurst(f.p);
        return;
      case 'duplicate':
        this.network.setDuplicateBurst(f.p);
        return;
      case 'slow': {
        const i = host.slot(f.node).idx;
        const pairs: [number, number][] = [];
        if (f.to !== undefined) {
          // A role `to` that resolved to the slowed node itself: a node has no link to itself.
          const j = host.slot(f.to).idx;
          if (j !== i) pairs.push([i, j]);
        }
        else for (let j = 0; j < host.slots.length; j++) if (j !== i) pairs.push([i, j], [j, i]);
        this.network.setSlow(pairs, f.factor);
        // A fault event like the others (coverage sees it), described as describeFault and the fuzz summary do.
        if (host.rec) host.emit({ seq: 0, t, type: 'slow', node: f.node, ...(f.to !== undefined ? { to: f.to } : {}), factor: f.factor });
        return;
      }
      case 'corrupt':
        if (!this.corrupt(host.slot(f.node), f.key)) host.noopFault?.('corrupt', `corrupt of ${f.node}, whose disk has ${f.key !== undefined ? `no durable record ${f.key}` : 'no durable record'}`);
        return;
      case 'reseed':
        // Every stream of the run shares the fault stream's family: one call re-forks them all.
        this.faultRng.reseed(f.salt);
        if (host.rec) host.emit({ seq: 0, t, type: 'log', node: '*', text: `reseed ${f.salt}: every random stream of the run re-forked` });
        return;
      case 'quiesce': {
        this.network.heal();
        this.network.clearSlow();
        if (this.network.lossBurst > 0) this.apply({ kind: 'loss', p: 0 });
        if (this.network.duplicateBurst > 0) this.apply({ kind: 'duplicate', p: 0 });
        for (const slot of host.slots) if (slot.paused) this.resume(slot);
        for (const slot of host.slots) if (!slot.up && slot.started) this.apply({ kind: 'restart', node: slot.spec.id });
        host.quiesced(t);
        return;
      }
    }
  }

  /** Unpause: the events held while paused run now, in their original order (with new, increasing insertion numbers). */
  private resume(slot: NodeSlot): void {
    const host = this.host;
    slot.paused = false;
    this.faultState.nodeRunning(slot.idx, true, host.now());
    const held = slot.pausedQueue;
    slot.pausedQueue = [];
    if (host.rec) host.emit({ seq: 0, t: host.now(), type: 'resume', node: slot.spec.id, queued: held.length });
    for (const ev of held) {
      ev.t = host.now();
      host.push(ev);
    }
  }

  /** Corrupt one durable record of a node: `key`, or one drawn from the fault stream. False if there was none to corrupt. */
  private corrupt(slot: NodeSlot, key: string | undefined): boolean {
    const keys = slot.disk.durableKeys();
    const target = key ?? (keys.length > 0 ? this.faultRng.pick(keys) : undefined);
    if (target === undefined || !slot.disk.corrupt(target)) return false;
    if (this.host.rec) this.host.emit({ seq: 0, t: this.host.now(), type: 'disk', node: slot.spec.id, op: 'corrupt', key: target });
    return true;
  }
}
