// The recovery oracle (issue 11, session 16): a checker that finds durability bugs without
// crashing anything. Nodes are sans-IO (node.ts), so after a step in which a node promised
// something (sent a message, completed a client operation), the oracle makes a *shadow*
// instance of that node with the protocol's own factory, runs its `recover` input against the
// node's DURABLE records only (what a crash right now would leave: sim/engine/disk.ts), and
// compares what the shadow publishes with what the live node published, through the relation
// the protocol declares (ProtocolDefinition.recovery): "these published fields are persistent
// state, rebuilt from disk at a restart". A disagreement is a promise a crash now would break:
// a term or vote not fsynced before the reply, a log tail not deleted, a table not reloaded.
//
// The shadow is invisible to the run: it runs through step() (no engine, no events), with a
// throwaway random stream of its own (never one of the run's streams), on a copy of the durable
// records; its commands are read and dropped. A run with the oracle on has the same trace (and
// hash) as without, up to the first violation it reports.
//
// Cost: the shadow is made only after a promising step of a node whose published state or
// durable records changed since the node last agreed with its shadow (SimView.durableEpoch, and
// the published state's identity), so a node that sends without changing state (heartbeats,
// retransmissions) costs two comparisons.

import { rootRng, type Rng } from '../engine/random.ts';
import type { Checker, JsonValue, NodeId, NodeSpec, SimView, WakeFlag } from '../engine/types.ts';
import { NodeAdapter, step } from './node.ts';

/** One field on which a live node and its recovered shadow disagree. */
export interface RecoveryMismatch {
  /** The published field (or a description of the part of it) that differs. */
  field: string;
  live: JsonValue | undefined;
  recovered: JsonValue | undefined;
}

/**
 * A protocol's durability rule, as the recovery oracle checks it (ProtocolDefinition.recovery).
 * Declare it from the protocol's own rule ("persistent state on all servers ... updated on stable
 * storage before responding to RPCs"), and only over fields the protocol rebuilds from disk alone.
 */
export interface RecoveryRelation {
  /** Roles of the nodes checked (default: `['server']`). */
  roles?: readonly string[];
  /**
   * Published fields that are persistent state: after a step in which a node promised something,
   * the state its `recover` publishes from the durable records alone has the same value for each
   * (JSON equality; an absent field equals only an absent field).
   */
  fields: readonly string[];
  /**
   * Optional further comparison, after `fields` agree (a field that must only be rebuilt in part, a
   * relation other than equality): the first disagreement, or undefined. Both states are as published.
   */
  agree?(live: JsonValue, recovered: JsonValue): RecoveryMismatch | undefined;
  /**
   * Optional: persistent state the protocol keeps but does not publish (a dedup table, a transaction
   * log index), read from a node instance (the live one and its shadow, both made by the protocol's
   * factory): named parts compared by JSON equality after `fields`. Undefined: nothing to compare.
   * Read only; keep it to what the protocol's rule says is durable.
   */
  internal?(node: object): Record<string, JsonValue> | undefined;
  /**
   * Optional, with `internal`: how the live and the recovered internal parts must agree, when not by
   * equality (a counter that may only have moved forward at recovery: `>=`). The first disagreement.
   */
  agreeInternal?(live: Record<string, JsonValue>, recovered: Record<string, JsonValue>): RecoveryMismatch | undefined;
}

/** The oracle's checker name (a scenario may list it in `checkers`, or switch it off with `recovery: false`). */
export const RECOVERY_CHECKER = 'recovery';

/** JSON equality (key order ignored). */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!jsonEqual(a[k], b[k])) return false;
  return true;
}

/** A value as a message shows it (long values cut). */
function show(v: JsonValue | undefined): string {
  if (v === undefined) return 'absent';
  const text = JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function field(state: JsonValue, name: string): JsonValue | undefined {
  return typeof state === 'object' && state !== null && !Array.isArray(state) ? state[name] : undefined;
}

/** Compare a live published state with its shadow's through the relation: the first mismatch, or undefined. */
export function recoveryMismatch(relation: RecoveryRelation, live: JsonValue, recovered: JsonValue): RecoveryMismatch | undefined {
  for (const f of relation.fields) {
    const l = field(live, f);
    const r = field(recovered, f);
    if (!jsonEqual(l, r)) return { field: f, live: l, recovered: r };
  }
  return relation.agree?.(live, recovered);
}

/** The first disagreement of the relation's `internal` parts between a live adapter's node and a shadow node. */
function internalMismatch(relation: RecoveryRelation, adapter: unknown, shadow: object | undefined): RecoveryMismatch | undefined {
  if (relation.internal === undefined || shadow === undefined || !(adapter instanceof NodeAdapter)) return undefined;
  const l = relation.internal(adapter.node as object);
  const r = relation.internal(shadow);
  if (l === undefined || r === undefined) return undefined;
  if (relation.agreeInternal) return relation.agreeInternal(l, r);
  for (const k of Object.keys(l)) if (!jsonEqual(l[k], r[k])) return { field: `${k} (internal)`, live: l[k], recovered: r[k] };
  return undefined;
}

/** What running `recover` on a node's durable records gives: the state it publishes last (undefined: none), or the error it throws. */
export function recoverShadow(spec: NodeSpec, view: SimView, id: NodeId, rng: Rng, frozen = false): (({ state: JsonValue | undefined; node: object } | { error: string }) & { records: number }) | undefined {
  const adapter = spec.create();
  if (!(adapter instanceof NodeAdapter)) return undefined; // not a sans-IO node: nothing to run
  const disk = frozen && view.durableFrozen ? view.durableFrozen(id) : view.durable(id);
  try {
    const commands = step(adapter.node, { kind: 'recover' }, { id, nodes: view.nodeIds, now: view.localTime ? view.localTime(id) : view.now, rng, disk: disk as Map<string, JsonValue> });
    let state: JsonValue | undefined;
    for (const c of commands) if (c.kind === 'publish') state = c.state;
    return { state, node: adapter.node as object, records: disk.size };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err), records: disk.size };
  }
}

/**
 * The oracle's work budget, in durable records read by shadows (each judgement also charged `perJudgement`): it may have spent at most
 * `initial + perStep * steps taken` so far. A judgement that would overrun it is put off (the node stays
 * due and is judged after a later promising step, once the budget allows), so a long run with big disks
 * is sampled, deterministically (the budget depends only on the run), and a short one is judged at every
 * promising step. A disagreement usually lasts until the node writes the state again, so a put-off
 * judgement still sees it.
 */
export interface RecoveryBudget {
  initial: number;
  perStep: number;
  /** What one judgement costs beyond the records it reads (making the shadow, recovering, comparing), in records. */
  perJudgement: number;
}

/** The default budget (sim/fuzz/README.md, "Session 16: the recovery oracle", "Budget lowered"): about 1.0-1.3x the CPU of a fully checked Raft bench run of 20 s / 5 s. */
export const RECOVERY_BUDGET: RecoveryBudget = { initial: 10_000, perStep: 1, perJudgement: 300 };

interface Seen {
  /** The published state the node last agreed with its shadow on (by identity), and its durable epoch then. */
  live: JsonValue | undefined;
  epoch: number | undefined;
}

/**
 * The recovery oracle of a run: an 'always' checker over the nodes of `relation.roles`. Woken by a
 * send or an operation's return from a checked node (typed hooks); see the file comment.
 * @param frozen the protocol's nodes never change what they read (its isolation is 'freeze'): the shadow
 *   reads deeply frozen, shared durable records (SimView.durableFrozen) instead of fresh copies.
 */
export function recoveryOracle(nodes: readonly NodeSpec[], relation: RecoveryRelation, seed: string, frozen = false, budget: RecoveryBudget = RECOVERY_BUDGET): Checker {
  const roles = new Set(relation.roles ?? ['server']);
  const specs = new Map<NodeId, NodeSpec>();
  for (const n of nodes) if (roles.has(n.role)) specs.set(n.id, n);
  const seen = new Map<NodeId, Seen>();
  /** Records the node's last shadow read (the estimate of its next shadow's work), and the records read so far. */
  const records = new Map<NodeId, number>();
  let spent = 0;
  const promised: NodeId[] = [];
  const wake: WakeFlag = { raised: false };
  // The shadow's own stream: never one of the run's (a fork of a root no run uses).
  const rng = rootRng(`recovery-oracle/${seed}`);
  const mark = (id: NodeId): void => {
    if (!specs.has(id) || promised.includes(id)) return;
    promised.push(id);
    wake.raised = true;
  };
  const judge = (view: SimView, id: NodeId): string | undefined => {
    if (!view.isUp(id)) return undefined;
    const live = view.published(id);
    if (live === undefined) return undefined;
    const epoch = view.durableEpoch ? view.durableEpoch(id) : 0;
    if (view.durableEpoch && epoch === undefined) return undefined; // a corrupted disk: not modelled
    const last = seen.get(id);
    if (last !== undefined && last.live === live && last.epoch === epoch) return undefined;
    const estimate = (records.get(id) ?? 0) + budget.perJudgement;
    if (spent + estimate > budget.initial + budget.perStep * view.stepsTaken) return undefined; // put off: still due
    const spec = specs.get(id) as NodeSpec;
    const shadow = recoverShadow(spec, view, id, rng, frozen);
    if (shadow === undefined) return undefined;
    records.set(id, shadow.records);
    spent += shadow.records + budget.perJudgement;
    if ('error' in shadow) return `${id} sent or completed something with durable records it cannot recover from: a restart now fails with "${shadow.error}"`;
    // A shadow that published nothing has only its internal parts to compare.
    const m = (shadow.state === undefined ? undefined : recoveryMismatch(relation, live, shadow.state)) ?? internalMismatch(relation, view.behaviour(id), shadow.node);
    if (m !== undefined) {
      return `${id} sent or completed something while it runs with ${m.field} ${show(m.live)}, but its durable records give ${show(m.recovered)}: a crash now would bring it back with ${show(m.recovered)}`;
    }
    seen.set(id, { live, epoch });
    return undefined;
  };
  return {
    name: RECOVERY_CHECKER,
    description: 'after a node promises something (sends, completes an operation), a node recovered from its durable records alone publishes the persistent state the protocol declares (ProtocolDefinition.recovery) as the live node does',
    when: 'always',
    on: {
      send: (_id, from) => mark(from),
      return: (node) => mark(node),
    },
    wake,
    check(view) {
      let verdict: string | undefined;
      for (const id of promised) {
        verdict ??= judge(view, id);
      }
      promised.length = 0;
      return verdict;
    },
  };
}
