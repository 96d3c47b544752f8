// Fault targets resolved when a fault fires: `@<role>` (a generic engine role or
// one the protocol declares, from what its nodes publish), `$<id>` (the node an
// earlier labelled fault hit) and `@trigger` (the node a trigger's occurrence
// happened at). Pure functions over a SimView: the Simulation calls them with a
// random stream dedicated to the fault, so a pick never shifts any other draw.

import type { FaultAction, NodeTarget, PartitionSplit } from './config.ts';
import type { Rng } from './random.ts';
import type { JsonValue, NodeId, SimView, TraceEvent, TraceEventType } from './types.ts';

/** Who holds a role now (deterministic order; may be empty). Same shape as the protocol's RoleDefinition. */
export interface RoleResolver {
  description: string;
  resolve(view: SimView): NodeId[];
}

/**
 * Counts occurrences of a protocol event. `match` sees each trace event while a fault waits on it,
 * and `prev`, the node's state published before, when the event is a `state` event: it returns the
 * node the occurrence happened at, or undefined. Same shape as the protocol's TriggerDefinition.
 */
export interface TriggerMatcher {
  description: string;
  /**
   * The trace event types `match` can return a node for (absent: any, unless `match` was made by onSend
   * or onPublished, which declare theirs: see triggerObserves). While only triggers that declare them
   * are armed, an untraced run builds just those events (as Checker.observes), and `match` sees only them.
   */
  observes?: readonly TraceEventType[];
  match(ev: TraceEvent, view: SimView, prev: JsonValue | undefined): NodeId | undefined;
}

/** Roles every protocol has, over the fault domain (servers, or every node when there are none). */
export const GENERIC_ROLES: Readonly<Record<string, string>> = {
  any: 'any node of the fault domain (the servers, or every node when the protocol has none)',
  up: 'a node of the domain that is up and not paused',
  crashed: 'a node of the domain that is crashed (started, then crashed, not restarted yet)',
  paused: 'a node of the domain that is paused',
  trigger: 'the node the triggering occurrence happened at (faults with `on` only)',
};

/** What a target can be resolved against when a fault fires. */
export interface TargetContext {
  view: SimView;
  /** Nodes faults hit by default: the protocol's servers, or every node. */
  domain: readonly NodeId[];
  /** Has the node been started (a never-started node is not "crashed"). */
  started(id: NodeId): boolean;
  roles: Readonly<Record<string, RoleResolver>>;
  /** Node each labelled fault hit; undefined while it has not fired (or was skipped). */
  label(id: string): NodeId | undefined;
  /** The node the trigger occurrence happened at, for faults that waited on one. */
  triggerNode: NodeId | undefined;
}

export function isRoleTarget(t: NodeTarget): boolean {
  return t.startsWith('@');
}
export function isLabelTarget(t: NodeTarget): boolean {
  return t.startsWith('$');
}
/** A target that is not a plain node id. */
export function isSymbolicTarget(t: NodeTarget): boolean {
  return isRoleTarget(t) || isLabelTarget(t);
}

/** Every node a target stands for now; a string says why there is none. */
export function targetHolders(t: NodeTarget, c: TargetContext): NodeId[] | string {
  if (isLabelTarget(t)) {
    const id = t.slice(1);
    const n = c.label(id);
    return n === undefined ? `fault "${id}" has not hit a node` : [n];
  }
  if (!isRoleTarget(t)) return [t];
  const role = t.slice(1);
  const v = c.view;
  let out: NodeId[];
  switch (role) {
    case 'any':
      out = [...c.domain];
      break;
    case 'up':
      out = c.domain.filter((id) => v.isUp(id) && !v.isPaused(id));
      break;
    case 'crashed':
      out = c.domain.filter((id) => !v.isUp(id) && c.started(id));
      break;
    case 'paused':
      out = c.domain.filter((id) => v.isPaused(id));
      break;
    case 'trigger':
      out = c.triggerNode === undefined ? [] : [c.triggerNode];
      break;
    default: {
      const r = c.roles[role];
      if (r === undefined) return `unknown role "${role}"`;
      out = r.resolve(v);
    }
  }
  return out.length > 0 ? out : `no node holds role ${role}`;
}

/** One node for a target: a plain id as is, a role's holder picked with `rng` when several hold it. */
export function resolveTarget(t: NodeTarget, c: TargetContext, rng: Rng): NodeId | string {
  const holders = targetHolders(t, c);
  if (typeof holders === 'string') return holders;
  return holders.length === 1 ? (holders[0] as NodeId) : rng.pick(holders);
}

/** The groups of a partition aimed at `around` (see PartitionSplit); the rest of the domain is shuffled with `rng`. */
export function splitGroups(split: PartitionSplit, around: NodeId, domain: readonly NodeId[], rng: Rng): NodeId[][] | string {
  const others = domain.filter((id) => id !== around);
  if (others.length === 0) return `no node besides ${around} to cut it off from`;
  // Fisher-Yates with the fault's own stream.
  for (let i = others.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [others[i], others[j]] = [others[j] as NodeId, others[i] as NodeId];
  }
  const n = domain.length;
  const minority = Math.max(1, Math.floor((n - 1) / 2));
  const withIt = split === 'alone' ? 1 : split === 'minority-with' ? minority : Math.min(n - 1, n - minority);
  const side = [around, ...others.slice(0, withIt - 1)];
  const rest = others.slice(withIt - 1);
  const order = (g: NodeId[]): NodeId[] => domain.filter((id) => g.includes(id));
  return [order(side), order(rest)];
}

/** The first node a fault names: what `$<id>` of a labelled fault refers to. */
export function primaryNode(f: FaultAction): NodeId | undefined {
  switch (f.kind) {
    case 'block':
      return f.from;
    case 'partition':
      return 'around' in f ? f.around : f.groups[0]?.[0];
    default:
      return 'node' in f ? f.node : undefined;
  }
}

/**
 * The fault with every target resolved to node ids, or a string saying why it cannot fire. The
 * `around` of a split partition becomes explicit groups; `resolvedAround` keeps the node for labels.
 */
export function resolveFault(f: FaultAction, c: TargetContext, rng: Rng): { action: FaultAction; primary: NodeId | undefined } | string {
  const one = (t: NodeTarget): NodeId | string => resolveTarget(t, c, rng);
  switch (f.kind) {
    case 'crash':
    case 'restart':
    case 'pause':
    case 'resume':
    case 'isolate':
    case 'corrupt':
    case 'clock': {
      const node = one(f.node);
      if (!c.view.nodeIds.includes(node)) return node;
      return { action: { ...f, node }, primary: node };
    }
    case 'slow': {
      const node = one(f.node);
      if (!c.view.nodeIds.includes(node)) return node;
      if (f.to === undefined) return { action: { ...f, node }, primary: node };
      const to = one(f.to);
      if (!c.view.nodeIds.includes(to)) return to;
      if (node === to) return `node and to are both ${node}`;
      return { action: { ...f, node, to }, primary: node };
    }
    case 'block': {
      const from = one(f.from);
      if (!c.view.nodeIds.includes(from)) return from;
      const to = one(f.to);
      if (!c.view.nodeIds.includes(to)) return to;
      if (from === to) return `from and to are both ${from}`;
      return { action: { kind: 'block', from, to }, primary: from };
    }
    case 'partition': {
      if ('around' in f) {
        const around = one(f.around);
        if (!c.view.nodeIds.includes(around)) return around;
        const groups = splitGroups(f.split, around, c.domain, rng);
        if (typeof groups === 'string') return groups;
        return { action: { kind: 'partition', groups }, primary: around };
      }
      const seen = new Set<NodeId>();
      const groups: NodeId[][] = [];
      for (const g of f.groups) {
        const out: NodeId[] = [];
        for (const t of g) {
          const n = one(t);
          if (!c.view.nodeIds.includes(n)) return n;
          if (seen.has(n)) continue; // a role may resolve to a node another group already has: first group wins
          seen.add(n);
          out.push(n);
        }
        if (out.length > 0) groups.push(out);
      }
      if (groups.length < 2) return 'the groups resolved to fewer than two non-empty groups';
      return { action: { kind: 'partition', groups }, primary: groups[0]?.[0] };
    }
    default:
      return { action: f, primary: undefined };
  }
}

/** Does the fault name any symbolic target (a role or a label)? Then it is resolved when it fires. */
export function hasSymbolicTarget(f: FaultAction): boolean {
  switch (f.kind) {
    case 'block':
      return isSymbolicTarget(f.from) || isSymbolicTarget(f.to);
    case 'slow':
      return isSymbolicTarget(f.node) || (f.to !== undefined && isSymbolicTarget(f.to));
    case 'partition':
      return 'around' in f || f.groups.some((g) => g.some(isSymbolicTarget));
    default:
      return 'node' in f && isSymbolicTarget(f.node);
  }
}

/** Short human form of a fault for the trace: `crash @leader`, `partition minority-with @leader`. */
export function describeFault(f: FaultAction): string {
  switch (f.kind) {
    case 'block':
      return `block ${f.from} -/-> ${f.to}`;
    case 'partition':
      return 'around' in f ? `partition ${f.split} ${f.around}` : `partition ${f.groups.map((g) => g.join(',')).join(' | ')}`;
    case 'loss':
      return `loss ${f.p}`;
    case 'duplicate':
      return `duplicate ${f.p}`;
    case 'reseed':
      return `reseed ${f.salt}`;
    case 'slow':
      return `slow ${f.node}${f.to !== undefined ? ` -> ${f.to}` : ''} x${f.factor}`;
    default:
      return 'node' in f ? `${f.kind} ${f.node}` : f.kind;
  }
}

// ---------------------------------------------------------------- helpers for protocols' targets.ts

type Match = TriggerMatcher['match'];

/** The event types a match function made by onSend / onPublished reads. */
const MATCH_TYPES = new WeakMap<Match, readonly TraceEventType[]>();
const SEND_ONLY: readonly TraceEventType[] = ['send'];
const STATE_ONLY: readonly TraceEventType[] = ['state'];

/**
 * The trace event types a trigger reads: its `observes`, else those of a `match` made by onSend
 * (`send`) or onPublished (`state`), else undefined (any type).
 */
export function triggerObserves(t: TriggerMatcher): readonly TraceEventType[] | undefined {
  return t.observes ?? MATCH_TYPES.get(t.match);
}

/** A trigger on a message a node sends (`send` trace event) of the given type: the occurrence is at the sender. */
export function onSend(type: string, test: (msg: Record<string, JsonValue>, ev: TraceEvent & { type: 'send' }) => boolean = () => true): Match {
  const match: Match = (ev) => {
    if (ev.type !== 'send') return undefined;
    const m = ev.msg as Record<string, JsonValue> | null;
    return m !== null && typeof m === 'object' && m.type === type && test(m, ev) ? ev.from : undefined;
  };
  MATCH_TYPES.set(match, SEND_ONLY);
  return match;
}

/** A trigger on a change of what a node publishes (`state` event): `test(now, before)`; `before` is undefined for its first state. */
export function onPublished<S>(test: (now: S, before: S | undefined, node: NodeId, view: SimView) => boolean): Match {
  const match: Match = (ev, view, prev) => {
    if (ev.type !== 'state' || ev.state === null || typeof ev.state !== 'object') return undefined;
    return test(ev.state as unknown as S, prev as unknown as S | undefined, ev.node, view) ? ev.node : undefined;
  };
  MATCH_TYPES.set(match, STATE_ONLY);
  return match;
}

/** Up nodes whose published state passes `test`, in node order. */
export function publishedWhere<S>(view: SimView, test: (s: S, id: NodeId) => boolean): NodeId[] {
  const out: NodeId[] = [];
  for (const id of view.nodeIds) {
    if (!view.isUp(id)) continue;
    const s = view.published(id);
    if (s !== undefined && s !== null && typeof s === 'object' && test(s as unknown as S, id)) out.push(id);
  }
  return out;
}
