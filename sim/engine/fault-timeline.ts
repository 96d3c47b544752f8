// The fault timeline beyond "apply at `at`": faults with a label (`id`), a trigger
// (`on`: armed at `at`, scheduled `delay` after the nth matching protocol event),
// an `after` (released `delay` after another fault fires), or a symbolic target
// (`@role`, `$label`, resolved when the fault fires with a stream forked from the
// seed by the fault's id, else its index). Every decision is logged as a `log`
// line from node `*` ("fault 3 (x): crash @leader -> crash n2").

import { assert } from './assert.ts';
import type { FaultAction, FaultTrigger, TimedFault } from './config.ts';
import { K_FAULT, type FaultEntry, type FaultEvent } from './events.ts';
import type { Rng } from './random.ts';
import { describeFault, hasSymbolicTarget, primaryNode, resolveFault, targetHolders, triggerObserves, type RoleResolver, type TargetContext, type TriggerMatcher } from './targets.ts';
import type { JsonValue, Micros, NodeId, SimView, TraceEvent } from './types.ts';

/** What the timeline needs from the event loop. */
export interface TimelineHost {
  now(): Micros;
  readonly rec: boolean;
  /** Quiesce point, once reached. */
  quiescedAt(): Micros | undefined;
  emit(ev: TraceEvent): void;
  push(ev: FaultEvent): void;
  /** Apply a resolved fault now. */
  apply(f: FaultAction): void;
  view: SimView;
  /** The default target domain: the `server` nodes, else every node. */
  domain(): NodeId[];
  /** Whether a node was ever started (a never-started node is not `@crashed`). */
  started(id: NodeId): boolean;
}

export class FaultTimeline {
  private readonly entries: FaultEntry[] = [];
  private readonly entryById = new Map<string, FaultEntry>();
  /** Entries waiting on their trigger, in timeline order. */
  private armed: FaultEntry[] = [];
  /** Whether some armed trigger reads every event type (declares no `observes`). */
  private armedAll = false;
  /** The event types the armed triggers read (TriggerMatcher.observes). */
  private readonly armedTypes = new Set<string>();
  private targetRng: Rng | undefined;

  /** Queue every fault of `faults` (plain ones as plain events, the others through an entry). */
  constructor(
    faults: readonly TimedFault[],
    private readonly host: TimelineHost,
    private readonly root: Rng,
    private readonly roles: Record<string, RoleResolver>,
    private readonly triggers: Record<string, TriggerMatcher>,
  ) {
    faults.forEach((f, index) => {
      const { at, id, on, after, delay, ...rest } = f;
      const fault = rest as FaultAction;
      assert(Number.isInteger(at) && at >= 0, `fault time must be a non-negative integer (got ${at})`);
      if (id === undefined && on === undefined && after === undefined && !hasSymbolicTarget(fault)) {
        host.push({ t: at, q: 0, k: K_FAULT, fault });
        return;
      }
      assert(delay === undefined || (Number.isInteger(delay) && delay >= 0), `fault ${index}: delay must be a non-negative integer (got ${delay})`);
      assert(on === undefined || this.triggers[on.event] !== undefined, () => `fault ${index}: unknown trigger "${on?.event}"`);
      assert(on === undefined || after === undefined, `fault ${index}: a fault has either on or after, not both`);
      const e: FaultEntry = { index, fault, at, id, on, after, delay: delay ?? 0, state: 'waiting', count: 0, triggerNode: undefined, node: undefined };
      this.entries.push(e);
      if (id !== undefined) {
        assert(!this.entryById.has(id), `fault ${index}: duplicate fault id "${id}"`);
        this.entryById.set(id, e);
      }
      if (on !== undefined) host.push({ t: at, q: 0, k: K_FAULT, fault, entry: this.entries.length - 1, arm: true });
      else if (after === undefined) host.push({ t: at, q: 0, k: K_FAULT, fault, entry: this.entries.length - 1 });
    });
    for (const e of this.entries) assert(e.after === undefined || this.entryById.has(e.after), () => `fault ${e.index}: after names no fault id "${e.after}"`);
  }

  /** True while some trigger waits (every trace event must then be shown to `match`). */
  get waiting(): boolean {
    return this.armed.length > 0;
  }

  /** Whether some armed trigger reads trace events of `type` (the event loop builds those while one waits). */
  reads(type: string): boolean {
    return this.armedAll || this.armedTypes.has(type);
  }

  /** The set of armed entries changed: recompute the event types they read. */
  private rearmed(): void {
    this.armedAll = false;
    this.armedTypes.clear();
    for (const e of this.armed) {
      const matcher = e.on === undefined ? undefined : this.triggers[e.on.event];
      const types = matcher === undefined ? undefined : triggerObserves(matcher);
      if (types === undefined) this.armedAll = true;
      else for (const t of types) this.armedTypes.add(t);
    }
  }

  /** Handle a queued FaultEvent that refers to entry `index`. Returns whether a fault was applied (a step). */
  fire(index: number, arm: boolean): boolean {
    const e = this.entries[index];
    assert(e !== undefined, `fault event of unknown timeline entry ${index}`);
    return this.fireEntry(e, arm);
  }

  private targetContext(e: FaultEntry): TargetContext {
    const host = this.host;
    return {
      view: host.view,
      domain: host.domain(),
      started: (id) => host.started(id),
      roles: this.roles,
      label: (id) => this.entryById.get(id)?.node,
      triggerNode: e.triggerNode,
    };
  }

  /** A note from the fault machinery: a log line from node `*` (only when events are built). */
  private faultLog(e: FaultEntry, text: string): void {
    if (this.host.rec) this.host.emit({ seq: 0, t: this.host.now(), type: 'log', node: '*', text: `fault ${e.index}${e.id !== undefined ? ` (${e.id})` : ''}: ${text}` });
  }

  /** Arm an entry's trigger, or fire the entry: resolve its targets, apply it, release the faults that come after it. */
  private fireEntry(e: FaultEntry, arm: boolean): boolean {
    const host = this.host;
    const what = describeFault(e.fault);
    const quiescedAt = host.quiescedAt();
    if (arm) {
      if (quiescedAt !== undefined) {
        e.state = 'skipped';
        this.faultLog(e, `${what} disarmed: armed after the quiesce point`);
        this.skipAfter(e);
        return false;
      }
      e.state = 'armed';
      this.armed.push(e);
      this.rearmed();
      return false;
    }
    // Once the quiesce point has been processed, a triggered fault never fires, even one whose trigger
    // occurred at the quiesce instant itself (with no delay): the liveness phase must be fault-free.
    if (e.on !== undefined && quiescedAt !== undefined) {
      e.state = 'skipped';
      this.faultLog(e, `${what} skipped: its trigger came too late, at or after the quiesce point`);
      this.skipAfter(e);
      return false;
    }
    const cause = e.on !== undefined ? `, on ${e.on.event} #${e.on.nth ?? 1} at ${e.triggerNode}` : '';
    const r = hasSymbolicTarget(e.fault) ? resolveFault(e.fault, this.targetContext(e), this.rngOf(e)) : { action: e.fault, primary: primaryNode(e.fault) };
    if (typeof r === 'string') {
      e.state = 'skipped';
      this.faultLog(e, `${what}${cause} skipped: ${r}`);
      this.skipAfter(e);
      return false;
    }
    e.state = 'fired';
    e.node = r.primary;
    const resolved = describeFault(r.action);
    this.faultLog(e, resolved === what ? `${what}${cause}` : `${what}${cause} -> ${resolved}`);
    host.apply(r.action);
    for (const d of this.entries) {
      if (d.after !== e.id || e.id === undefined || d.state !== 'waiting') continue;
      d.state = 'scheduled';
      host.push({ t: Math.max(host.now() + d.delay, d.at), q: 0, k: K_FAULT, fault: d.fault, entry: this.entries.indexOf(d) });
    }
    return true;
  }

  /** The faults that come after a skipped one never fire either; the trace says so. */
  private skipAfter(e: FaultEntry): void {
    if (e.id === undefined) return;
    for (const d of this.entries) {
      if (d.after !== e.id || d.state !== 'waiting') continue;
      d.state = 'skipped';
      this.faultLog(d, `${describeFault(d.fault)} skipped: fault "${e.id}" did not fire`);
      this.skipAfter(d);
    }
  }

  /**
   * The random stream of one fault's target picks, forked by its id (else its timeline index): other
   * draws never shift it, and removing another fault (shrinking) does not change a labelled fault's picks.
   */
  private rngOf(e: FaultEntry): Rng {
    this.targetRng ??= this.root.fork('targets');
    return this.targetRng.fork(e.id !== undefined ? `id:${e.id}` : String(e.index));
  }

  /**
   * Count the occurrence `ev` is for every armed trigger; the nth one schedules its fault `delay` later.
   * `prev`: for a `state` event, what the node published before it.
   */
  match(ev: TraceEvent, prev: JsonValue | undefined): void {
    let fired = false;
    for (const e of this.armed) {
      const on = e.on as FaultTrigger;
      const matcher = this.triggers[on.event];
      assert(matcher !== undefined, `armed fault ${e.index} has no trigger "${on.event}"`);
      const types = triggerObserves(matcher);
      if (types !== undefined && !types.includes(ev.type)) continue;
      const node = matcher.match(ev, this.host.view, prev);
      if (node === undefined) continue;
      if (on.node !== undefined) {
        const holders = targetHolders(on.node, this.targetContext(e));
        if (typeof holders === 'string' || !holders.includes(node)) continue;
      }
      e.count++;
      if (e.count < (on.nth ?? 1)) continue;
      e.state = 'scheduled';
      e.triggerNode = node;
      fired = true;
      this.host.push({ t: this.host.now() + e.delay, q: 0, k: K_FAULT, fault: e.fault, entry: this.entries.indexOf(e) });
    }
    if (fired) {
      this.armed = this.armed.filter((x) => x.state === 'armed');
      this.rearmed();
    }
  }

  /** At the quiesce point: every trigger still waiting never fires (nor what comes after it); the trace says so. */
  disarmAll(): void {
    const armed = this.armed;
    this.armed = [];
    this.rearmed();
    for (const e of armed) {
      e.state = 'skipped';
      this.faultLog(e, `${describeFault(e.fault)} disarmed at the quiesce point: ${e.on?.event} occurred ${e.count} of ${e.on?.nth ?? 1} times`);
      this.skipAfter(e);
    }
  }
}
