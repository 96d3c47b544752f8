// Coverage-guided search (the `guided` strategy of fuzz()): coverage feedback
// from each protocol's abstract state, a corpus of runs that reached something
// new, and mutation operators over runs as plain data.
//
// As in AFL (Zalewski, "american fuzzy lop" technical notes) and its
// descendants, the coverage of a run is a set of *features*: each abstract
// state the cluster passed through (`ProtocolDefinition.abstractState`,
// computed after `state` events) and each transition between two successive
// abstract states (the edges). A run that adds a feature no earlier run of the
// campaign had joins the corpus; part of the budget then goes to mutants of
// corpus entries: a fault shifted in time (by anything from 1 ms to half the
// window, so "one round trip later" is as reachable as "a second later"),
// lengthened or shortened, redrawn, added (drawn from the same `episodeArb`
// the generator uses), removed, duplicated, spliced in from another corpus
// entry, a fresh simulation seed, a redrawn workload, or re-aimed at a protocol
// step (`trigger`: the episode starts on a trigger at the triggering node, with
// no or a tiny delay and often a restart within a round trip). Mutants stay plain
// data (seed + episodes + workload patch), so fast-check shrinks them and
// `faultline run` replays them like any other run.
//
// Everything here is deterministic: randomness comes from an engine `Rng`
// forked from the batch's fast-check seed, so a guided batch is a pure function
// of that seed.

import fc from 'fast-check';
import type { Rng } from '../engine/random.ts';
import type { Checker, JsonValue, Micros, NodeId, SimView, TraceEvent, TraceEventType } from '../engine/types.ts';
import { triggerObserves, type TriggerMatcher } from '../engine/targets.ts';
import { atTriggerNode, episodeArb, pickKind, targetArb, type FaultEpisode, type GenFaultKind, type ResolvedFaultGen, type WorkloadArb } from './arbitraries.ts';
import { getOrFail } from '../engine/assert.ts';

/** A run as the guided search handles it: episodes, not their expanded timeline, so mutations keep their structure. */
export interface EpisodeCase {
  seed: string;
  episodes: FaultEpisode[];
  workload: Record<string, unknown>;
  /**
   * Share of the fault window used, in percent (100: faults until the window's end, then the quiesce).
   * A shorter window leaves the run quiet for longer after the quiesce, which liveness checkers need.
   */
  window: number;
  /**
   * Run length, in percent (absent or 100: the whole duration). Swarm over run length: most bugs show early,
   * and a shorter run costs less. The fault window (`window`) is scaled by it and the calm after the quiesce
   * kept (spanDuration), so a short run is a long one's story told faster, with the same liveness phase. The
   * shrunk and replayed scenario carries the length (its `duration`).
   */
  span?: number;
}

/** Fault-window shares a run draws from (percent), when the caller did not fix the window's end. */
export const WINDOW_SHARES = [100, 60, 30] as const;

/**
 * Run lengths a run draws from (percent of the scenario's duration, each entry equally likely: half the runs
 * whole, a quarter half as long, a quarter a quarter as long), when the caller fixed neither end of the fault
 * window. 100 first: what shrinking goes back to. Whole runs stay the majority because a liveness bound
 * (several election timeouts of calm after the quiesce) rarely fits in a quarter of a run.
 */
export const SPAN_SHARES = [100, 100, 50, 25] as const;

/**
 * The duration (µs) of a case's run: the scenario's `duration` when its span is absent or 100; else its fault
 * window scaled by the span (windowEnd) followed by the same calm after the quiesce as the whole-length run of
 * that window has, so a liveness bound that fits after a whole run's quiesce fits after a short run's too
 * (a run of window 100% and span 50% of a 5 s scenario with the quiesce at 70%: 1.75 s of faults, then 1.5 s).
 */
export function spanDuration(g: Pick<ResolvedFaultGen, 'from' | 'until'>, c: Pick<EpisodeCase, 'window' | 'span'>, duration: Micros): Micros {
  if (c.span === undefined || c.span >= 100) return duration;
  const calm = Math.max(0, duration - windowEnd(g, c.window));
  return Math.min(duration, windowEnd(g, c.window, c.span) + calm);
}

/** Features of one run: abstract states and transitions between successive ones. */
export interface RunCoverage {
  states: Set<string>;
  edges: Set<string>;
  /**
   * Fault contexts: `<fault event type>><abstract state when it hit>` (`crash>L0 C2 F1 x0 g0 noleader split`):
   * which kind of fault hit the cluster in which shape. A crash during a split vote, or a restart while a
   * leader holds an old-term entry, is progress towards a deep window even when the states themselves are
   * all known (the context of an edge, as in AFL's edge coverage). Filled when present.
   */
  contexts?: Set<string>;
  /**
   * When each state and fault context was first reached in the run (virtual µs): where guided search's
   * `branch` mutation cuts a run to re-fork its randomness. Filled when present.
   */
  firstAt?: Map<string, Micros>;
  /**
   * Generic, protocol-agnostic coverage from the trace (traceEdgeObserver): per node, pairs of successive
   * event kinds (`e:restart~s:vote-resp+granted#1`), hit counts bucketed. Filled when present.
   */
  pairs?: Set<string>;
}

/** Trace events that are faults (the engine's own, from the scenario's timeline or nemesis). */
const FAULT_EVENT_TYPES: readonly TraceEventType[] = ['crash', 'restart', 'pause', 'resume', 'partition', 'heal', 'clock', 'disk', 'network', 'slow'];
const FAULT_EVENTS: ReadonlySet<string> = new Set(FAULT_EVENT_TYPES);

/**
 * A checker that never fails: it records the distinct abstract states and
 * transitions of a run into `into`. The abstract state is computed once per
 * instant of virtual time in which some node published a new state (at the
 * first event of a later instant, when that instant's changes are complete),
 * and once more when the run ends: cheap, and blind only to states that last
 * less than one instant. Publishes come through the typed `publish` hook and
 * instants through onInstant, so an untraced run builds no `state` events for
 * it; only fault events (a handful per run) are observed, for `contexts`.
 */
export function coverageObserver(abstractState: (view: SimView) => string, into: RunCoverage): Checker {
  let prev: string | undefined;
  let dirtyAt = -1;
  /** Time of the current instant (onInstant is called at the first event of each, before any hook of it). */
  let now = -1;
  const first = into.firstAt;
  const contexts = into.contexts;
  const sample = (view: SimView): void => {
    const at = dirtyAt;
    dirtyAt = -1;
    const s = abstractState(view);
    if (s === prev) return;
    into.states.add(s);
    if (first && !first.has(s)) first.set(s, at);
    if (prev !== undefined) into.edges.add(`${prev} -> ${s}`);
    prev = s;
  };
  return {
    name: 'coverage',
    description: 'records abstract states for coverage-guided fuzzing (never fails)',
    when: 'always',
    // check() never says anything: the engine may skip it after quiet steps (its hooks still see every event).
    onChange: true,
    // Runs through onInstant(), the `publish` hook and observe() of fault events; check() itself has nothing to say.
    check: () => undefined,
    // The first event of a later instant, whatever its type: the previous instant's changes are complete.
    onInstant(t: Micros, view: SimView): void {
      now = t;
      if (dirtyAt >= 0 && t !== dirtyAt) sample(view);
    },
    on: {
      publish(): void {
        if (dirtyAt < 0) dirtyAt = now;
      },
    },
    // Fault events only (sim/engine: Checker.observes), for the fault contexts: the engine builds them anyway when it numbers events.
    observes: contexts ? FAULT_EVENT_TYPES : [],
    observe(ev: TraceEvent, view: SimView): void {
      if (!contexts || !FAULT_EVENTS.has(ev.type)) return;
      // The shape the fault hit: this instant's changes so far included (a crash at the moment of a vote sees the vote).
      if (dirtyAt >= 0) sample(view);
      if (prev !== undefined) {
        const c = `${ev.type}>${prev}`;
        contexts.add(c);
        if (first && !first.has(c)) first.set(c, ev.t);
      }
    },
  };
}

/** Fault events that hit one node (`node` field): paired with the triggers that fired at that node. The others are cluster-wide. */
const NODE_FAULT_TYPES: readonly TraceEventType[] = ['crash', 'restart', 'pause', 'resume', 'clock', 'disk', 'slow'];
const NODE_FAULTS: ReadonlySet<string> = new Set(NODE_FAULT_TYPES);

/** Recent publishes and sends triggerContextObserver keeps (each a ring; older ones are forgotten). */
export const TRIGGER_RING = 256;

/**
 * Fault contexts from the protocol's own triggers (issue 11): a fault event paired with each protocol trigger
 * that fired at the node it hit at most `horizon` µs before it (`crash@log-truncated`: a server crashed within
 * a few round trips of dropping a log suffix; `restart@snapshot-taken`, `pause@vote-logged`). Faults on one
 * node only (crash, restart, pause, resume, clock, disk, slow); cluster-wide ones (partition, heal) are not
 * paired (measured: they diluted the corpus). A run that puts a fault right after a protocol step
 * then reaches a feature of its own, joins the corpus and is branched from near that moment, even when every
 * abstract state it passed through is known. Added to `into.contexts` (with its first time in `into.firstAt`).
 *
 * Cheap: only triggers that declare the event types they read (`observes`: `state` and/or `send`) are used,
 * and lazily. The typed `publish` and `send` hooks only store the event's fields in a ring (TRIGGER_RING of
 * each, no object built); at a fault event (a handful per run) the triggers are matched against the stored
 * events of the last `horizon` µs, on one reused scratch event. `prev` of a `state` trigger is what the node
 * published before, as the engine passes it; the `view` a trigger reads is the one at the fault (a trigger
 * that looks at other nodes, raft's `split-vote-granted`, sees them as they are then). More than TRIGGER_RING
 * publishes or sends within the horizon: the older ones are not matched. Undefined when no trigger qualifies
 * or `into` has no contexts.
 */
export function triggerContextObserver(triggers: Readonly<Record<string, TriggerMatcher>>, into: RunCoverage, horizon: Micros): Checker | undefined {
  const contexts = into.contexts;
  if (!contexts) return undefined;
  type Match = TriggerMatcher['match'];
  const onState: [string, Match][] = [];
  const onSent: [string, Match][] = [];
  for (const [name, t] of Object.entries(triggers)) {
    const reads = triggerObserves(t);
    if (reads === undefined) continue;
    if (reads.includes('state')) onState.push([name, t.match]);
    if (reads.includes('send')) onSent.push([name, t.match]);
  }
  if (onState.length === 0 && onSent.length === 0) return undefined;
  const first = into.firstAt;
  const N = TRIGGER_RING;
  // Rings of recent publishes and sends (parallel arrays; `pubs` / `sends` count every one ever stored).
  const pubT: Micros[] = [];
  const pubNode: NodeId[] = [];
  const pubState: JsonValue[] = [];
  const pubPrev: (JsonValue | undefined)[] = [];
  let pubs = 0;
  const sendT: Micros[] = [];
  const sendId: number[] = [];
  const sendFrom: NodeId[] = [];
  const sendTo: NodeId[] = [];
  const sendMsg: JsonValue[] = [];
  let sends = 0;
  const lastState = new Map<NodeId, JsonValue>();
  let now = 0;
  // Scratch events, reused for every match (a trigger's match reads the event, never keeps it).
  const stateEv = { seq: 0, t: 0, type: 'state', node: '', state: null } as { seq: number; t: Micros; type: 'state'; node: NodeId; state: JsonValue };
  const sendEv = { seq: 0, t: 0, type: 'send', id: 0, from: '', to: '', msg: null } as { seq: number; t: Micros; type: 'send'; id: number; from: NodeId; to: NodeId; msg: JsonValue };
  /** Trigger names that fired at `node` in the `horizon` before `at`. */
  const firedBefore = (at: Micros, node: NodeId, view: SimView): Set<string> => {
    const out = new Set<string>();
    for (let k = pubs - 1; k >= 0 && k >= pubs - N; k--) {
      const i = k % N;
      const t = pubT[i] as Micros;
      if (at - t > horizon) break;
      stateEv.t = t;
      stateEv.node = pubNode[i] as NodeId;
      stateEv.state = pubState[i] as JsonValue;
      for (const [name, match] of onState) {
        if (out.has(name)) continue;
        const n = match(stateEv, view, pubPrev[i]);
        if (n !== undefined && n === node) out.add(name);
      }
    }
    for (let k = sends - 1; k >= 0 && k >= sends - N; k--) {
      const i = k % N;
      const t = sendT[i] as Micros;
      if (at - t > horizon) break;
      sendEv.t = t;
      sendEv.id = sendId[i] as number;
      sendEv.from = sendFrom[i] as NodeId;
      sendEv.to = sendTo[i] as NodeId;
      sendEv.msg = sendMsg[i] as JsonValue;
      for (const [name, match] of onSent) {
        if (out.has(name)) continue;
        const n = match(sendEv, view, undefined);
        if (n !== undefined && n === node) out.add(name);
      }
    }
    return out;
  };
  return {
    name: 'coverage-trigger-contexts',
    description: 'records which protocol triggers fired shortly before each fault, for coverage-guided fuzzing (never fails)',
    when: 'always',
    check: () => undefined,
    onChange: true,
    onInstant(t: Micros): void {
      now = t;
    },
    on: {
      ...(onState.length > 0
        ? {
            publish(node: NodeId, state: JsonValue): void {
              const i = pubs++ % N;
              pubT[i] = now;
              pubNode[i] = node;
              pubState[i] = state;
              pubPrev[i] = lastState.get(node);
              lastState.set(node, state);
            },
          }
        : {}),
      ...(onSent.length > 0
        ? {
            send(id: number, from: NodeId, to: NodeId, msg: unknown): void {
              const i = sends++ % N;
              sendT[i] = now;
              sendId[i] = id;
              sendFrom[i] = from;
              sendTo[i] = to;
              sendMsg[i] = msg as JsonValue;
            },
          }
        : {}),
    },
    observes: NODE_FAULT_TYPES,
    observe(ev: TraceEvent, view: SimView): void {
      // Faults on one node only: a cluster-wide one (a partition, a heal) paired with every node's triggers made
      // ~9 contexts a run, spread the corpus's energy and slowed planted bugs (sim/fuzz/README.md, session 15).
      if (!NODE_FAULTS.has(ev.type) || !('node' in ev)) return;
      for (const name of firedBefore(ev.t, ev.node, view)) {
        const c = `${ev.type}@${name}`;
        contexts.add(c);
        if (first && !first.has(c)) first.set(c, ev.t);
      }
    },
  };
}

/** Hit-count buckets of a trace edge (AFL's, coarser): the feature names the highest threshold reached. */
export const EDGE_BUCKETS = [1, 4, 32] as const;

/** Cluster-wide fault events: the next event of every node is paired with them. */
const GLOBAL_FAULTS: ReadonlySet<string> = new Set(['partition', 'heal', 'network']);

/**
 * A message's kind for trace edges: its `type` (or `kind`) field, plus the names of its top-level fields
 * that are `true` (`vote-resp+granted`, `vote-req+pre`, `append-resp+success`), so a granted vote and a
 * refused one are different kinds without the engine knowing any protocol.
 */
export function messageKind(msg: unknown): string {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return 'msg';
  const m = msg as Record<string, unknown>;
  const name = typeof m.type === 'string' ? m.type : typeof m.kind === 'string' ? m.kind : 'msg';
  let flags = '';
  // for-in over a plain JSON object: its own keys in Object.keys order, without the array.
  for (const k in m) if (m[k] === true && Object.hasOwn(m, k)) flags += `+${k}`;
  return name + flags;
}

/**
 * Generic coverage from the trace, AFL-edge style and protocol-agnostic: for each node, the pair (previous
 * event kind -> event kind) of its successive events, where a kind is `s:<message kind>` (it sent),
 * `d:<message kind>` (one was delivered to it), `t:<timer>`, `i:<op>` / `r:<outcome>` (a client's invoke and
 * return), or a fault: `crash`, `restart`, `pause`, `resume`, `clock`, `disk`, and the cluster-wide
 * `partition`, `heal`, `network` (which every node's next event is paired with). "restart then grant a vote"
 * (`restart~s:vote-resp+granted`) or "crashed right after sending an append" (`s:append-req~crash`) are
 * features, whatever the protocol. Node names are not in the feature (n1 and n2 doing the same is one
 * feature). Each pair's hit count in the run is bucketed (EDGE_BUCKETS): the feature is `e:<a>~<b>#<k>` for
 * every threshold k reached, recorded with the time it was reached (for `branch`).
 */
export function traceEdgeObserver(into: RunCoverage): Checker {
  const pairs = into.pairs ?? (into.pairs = new Set());
  const first = into.firstAt;
  // Hot (every send, delivery and timer of every guided run): event kinds are interned to small ints per
  // run, hit counts kept per (previous kind, kind) in arrays, and a feature's string built only when its
  // count reaches a bucket. Same features, in the same order, as building `e:<a>~<b>` for every event.
  const names: string[] = [];
  const byName = new Map<string, number>();
  const intern = (kind: string): number => {
    let id = byName.get(kind);
    if (id === undefined) {
      id = names.length;
      byName.set(kind, id);
      names.push(kind);
    }
    return id;
  };
  /** Kind ids by the string after their prefix (`s:`, `d:`, `t:`, `i:`, `r:`, or none for faults). */
  const table = (prefix: string): ((k: string) => number) => {
    const ids = new Map<string, number>();
    return (k) => {
      let id = ids.get(k);
      if (id === undefined) ids.set(k, (id = intern(prefix + k)));
      return id;
    };
  };
  const sent = table('s:');
  const delivered = table('d:');
  const timer = table('t:');
  const invoked = table('i:');
  const returned = table('r:');
  const fault = table('');
  const prev = new Map<string, number>();
  /** Which global fault a node has paired with already (its index in the run). */
  const seenGlobal = new Map<string, number>();
  let globalKind = -1;
  let globalIdx = 0;
  /** counts[before][kind]: hits of the pair in this run. */
  const counts: number[][] = [];
  /**
   * Per message id (the engine numbers a run's messages 0, 1, 2, ...): the id of its delivery kind
   * (`d:<message kind>`). A dense array, not a Map: one slot per message of the run, written once.
   */
  const msgKind: number[] = [];
  const undelivered = (): number => delivered('msg');
  const step = (node: string, kind: number, t: Micros): void => {
    let before = prev.get(node);
    if (globalIdx > 0 && (seenGlobal.get(node) ?? 0) < globalIdx) {
      before = globalKind;
      seenGlobal.set(node, globalIdx);
    }
    prev.set(node, kind);
    if (before === undefined) return;
    let row = counts[before];
    if (row === undefined) counts[before] = row = [];
    const n = (row[kind] ?? 0) + 1;
    row[kind] = n;
    for (const b of EDGE_BUCKETS) {
      if (n !== b) continue;
      const f = `e:${names[before] ?? ''}~${names[kind] ?? ''}#${b}`;
      pairs.add(f);
      if (first && !first.has(f)) first.set(f, t);
    }
  };
  /** Time of the current instant (onInstant runs at the first event of each, before its hooks). */
  let now = 0;
  return {
    name: 'coverage-trace-edges',
    description: 'records per-node pairs of successive trace event kinds for coverage-guided fuzzing (never fails)',
    when: 'always',
    check: () => undefined,
    onChange: true,
    onInstant(t: Micros): void {
      now = t;
    },
    // Messages, timers and client operations through typed hooks (Checker.on): an untraced run builds no
    // event object for them. Called where the trace event would be emitted, so in the same order as it.
    on: {
      send(id, from, _to, msg): void {
        const k = messageKind(msg);
        msgKind[id] = delivered(k);
        step(from, sent(k), now);
      },
      duplicate(id, of): void {
        msgKind[id] = msgKind[of] ?? undelivered();
      },
      deliver(id, _from, to): void {
        step(to, msgKind[id] ?? undelivered(), now);
      },
      timer(node, name): void {
        step(node, timer(name), now);
      },
      invoke(node, _op, _process, f): void {
        step(node, invoked(f), now);
      },
      return(node, _op, _process, outcome): void {
        step(node, returned(outcome), now);
      },
    },
    // Fault events only (a handful per run): the engine builds most of them anyway when it numbers events.
    observes: ['crash', 'restart', 'pause', 'resume', 'clock', 'disk', 'slow', 'partition', 'heal', 'network'],
    observe(ev: TraceEvent): void {
      switch (ev.type) {
        case 'crash':
        case 'restart':
        case 'pause':
        case 'resume':
        case 'clock':
        case 'disk':
          step(ev.node, fault(ev.type), ev.t);
          return;
        case 'slow':
          // Its end (factor 1) is another kind than its start: "slowed, then ..." and "sped up, then ..." differ.
          step(ev.node, fault(ev.factor === 1 ? 'slow-end' : 'slow'), ev.t);
          return;
        default:
          if (GLOBAL_FAULTS.has(ev.type)) {
            globalKind = fault(ev.type);
            globalIdx++;
          }
      }
    },
  };
}

/** A `final` checker that never fails: takes the last abstract state of a run for coverageObserver's `into`. */
export function coverageFinal(abstractState: (view: SimView) => string, into: RunCoverage): Checker {
  return {
    name: 'coverage-final',
    description: 'records the last abstract state of a run (never fails)',
    when: 'final',
    check(view: SimView): undefined {
      const s = abstractState(view);
      into.states.add(s);
      if (into.firstAt && !into.firstAt.has(s)) into.firstAt.set(s, view.now);
      return undefined;
    },
  };
}

/** One value of an arbitrary, drawn deterministically from `rng`. */
export function draw<T>(arb: fc.Arbitrary<T>, rng: Rng): T {
  return fc.sample(arb, { seed: rng.int(0, 0x7fffffff), numRuns: 1 })[0] as T;
}

export interface CorpusEntry {
  case: EpisodeCase;
  /** Features this entry was the first to reach. */
  found: number;
  /** How often it was picked for mutation. */
  picks: number;
  /** The features (fuzz() records the abstract states) the entry's run reached: its rarity is read from these. */
  features?: readonly string[];
  /**
   * Picks still owed to this entry because it (a mutant) reached something new: the search keeps mutating
   * around a fresh find for a while (AFL's "favoured" fresh paths, libFuzzer's focus on new inputs).
   */
  focus?: number;
  /** When the entry's run first reached each of its features (virtual µs): where a `branch` of it cuts. */
  times?: ReadonlyMap<string, Micros>;
}

/** Mutant picks a fresh find is owed (see `CorpusEntry.focus`). */
export const FOCUS_PICKS = 8;

/**
 * How rare an entry is: the fewest runs that reached any feature of it (AFL++'s rare-edge and FairFuzz's
 * "rare branch" energy). An entry that is the only one to reach some state scores 1; one whose
 * features every run reaches scores high. Without recorded features, its `found` count stands in.
 */
export function rarity(e: CorpusEntry, hits: ReadonlyMap<string, number>): number {
  if (!e.features || e.features.length === 0) return Number.MAX_SAFE_INTEGER - e.found;
  let min = Number.MAX_SAFE_INTEGER;
  for (const f of e.features) min = Math.min(min, hits.get(f) ?? 1);
  return min;
}

/**
 * A corpus entry to mutate. With feature hit counts (`hits`: how many runs reached each feature), energy
 * goes to rare states: an entry owed focus picks (a fresh find) half the time, else the rarest of four
 * random entries (fewer picks, then newer, on a tie). Without `hits`: the less-picked of two random
 * entries (newer on a tie), so fresh finds get energy first.
 */
export function pickEntry(corpus: readonly CorpusEntry[], rng: Rng, hits?: ReadonlyMap<string, number>): CorpusEntry {
  if (hits) {
    let owed: CorpusEntry | undefined;
    for (let i = corpus.length - 1; i >= 0 && !owed; i--) if (((corpus[i] as CorpusEntry).focus ?? 0) > 0) owed = corpus[i];
    if (owed && rng.chance(0.5)) {
      owed.focus = (owed.focus ?? 1) - 1;
      owed.picks++;
      return owed;
    }
    let best = rng.int(0, corpus.length);
    let bestScore = rarity(corpus[best] as CorpusEntry, hits);
    for (let k = 1; k < 4; k++) {
      const i = rng.int(0, corpus.length);
      const e = corpus[i] as CorpusEntry;
      const b = corpus[best] as CorpusEntry;
      const score = rarity(e, hits);
      if (score < bestScore || (score === bestScore && (e.picks < b.picks || (e.picks === b.picks && i > best)))) {
        best = i;
        bestScore = score;
      }
    }
    const e = corpus[best] as CorpusEntry;
    e.picks++;
    return e;
  }
  const i = rng.int(0, corpus.length);
  const j = rng.int(0, corpus.length);
  const a = corpus[i] as CorpusEntry;
  const b = corpus[j] as CorpusEntry;
  const e = a.picks < b.picks || (a.picks === b.picks && i >= j) ? a : b;
  e.picks++;
  return e;
}

/** A signed time step, log-uniform in magnitude between 1 ms and `max` µs. */
function timeStep(rng: Rng, max: number): number {
  const lo = Math.log(1000);
  const hi = Math.log(Math.max(1001, max));
  const mag = Math.round(Math.exp(lo + rng.next() * (hi - lo)));
  return rng.chance(0.5) ? mag : -mag;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

export interface MutationContext {
  gen: ResolvedFaultGen;
  workload: WorkloadArb | undefined;
  corpus: readonly CorpusEntry[];
  /** Fault-window shares to draw from (a single one: the window is fixed). */
  windows: readonly number[];
  /** Run lengths to draw from (SPAN_SHARES; absent or a single one: every run lasts the whole duration). */
  spans?: readonly number[];
}

/** Mutation operators, by name (the names appear in tests and docs). */
export const MUTATIONS = ['shift', 'resize', 'redraw', 'add', 'remove', 'duplicate', 'splice', 'crossover', 'seed', 'workload', 'window', 'trigger'] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** Apply one mutation in place; false when it does not apply to this case (no episode to shift, ...). */
export function applyMutation(m: Mutation, c: EpisodeCase, rng: Rng, ctx: MutationContext): boolean {
  const g = ctx.gen;
  const eps = c.episodes;
  const kinds = g.kinds.filter((k) => episodeArb(k, g) !== undefined);
  const timed = eps.filter((e) => typeof (e as { at?: unknown }).at === 'number');
  switch (m) {
    case 'shift': {
      if (timed.length === 0) return false;
      const e = rng.pick(timed) as { at: number };
      e.at = clamp(e.at + timeStep(rng, (g.until - g.from) / 2), g.from, g.until - 1);
      return true;
    }
    case 'resize': {
      const sized = eps.filter((e) => typeof (e as { length?: unknown }).length === 'number');
      if (sized.length === 0) return false;
      const e = rng.pick(sized) as { length: number };
      e.length = clamp(Math.round(e.length * 2 ** (rng.next() * 4 - 2)) + (rng.chance(0.5) ? 0 : timeStep(rng, g.maxEpisode)), 1, g.maxEpisode);
      return true;
    }
    case 'redraw': {
      // Same kind, fresh fields (nodes, sides, rates, ...): works for any episode kind episodeArb knows.
      if (eps.length === 0) return false;
      const i = rng.int(0, eps.length);
      const e = eps[i] as FaultEpisode;
      if (e.kind === 'reseed') {
        eps[i] = { ...e, salt: freshSalt(rng) };
        return true;
      }
      const arb = episodeArb(e.kind, g);
      if (!arb) return false;
      eps[i] = draw(arb, rng);
      return true;
    }
    case 'add': {
      if (eps.length >= g.maxFaults || kinds.length === 0) return false;
      const kind = pickKind(kinds, g, rng.next());
      const arb = kind === undefined ? undefined : episodeArb(kind, g);
      if (!arb) return false;
      eps.splice(rng.int(0, eps.length + 1), 0, draw(arb, rng));
      return true;
    }
    case 'remove': {
      if (eps.length === 0) return false;
      eps.splice(rng.int(0, eps.length), 1);
      return true;
    }
    case 'duplicate': {
      if (timed.length === 0 || eps.length >= g.maxFaults) return false;
      const copy = { ...(rng.pick(timed) as FaultEpisode & { at: number }) };
      copy.at = clamp(copy.at + timeStep(rng, (g.until - g.from) / 2), g.from, g.until - 1);
      eps.push(copy);
      return true;
    }
    case 'splice': {
      // Crossover: an episode of another corpus entry.
      if (eps.length >= g.maxFaults) return false;
      const donors = ctx.corpus.filter((e) => e.case.episodes.length > 0);
      if (donors.length === 0) return false;
      const donor = rng.pick(donors).case.episodes;
      eps.push({ ...rng.pick(donor) });
      return true;
    }
    case 'crossover': {
      // Two-point crossover in time (AFL's splice stage over episodes): this run's episodes up to a cut,
      // then another corpus entry's episodes from the cut on, so the first half of one story can meet
      // the second half of another (crash a leader early, then what another run did after its election).
      const donors = ctx.corpus.filter((e) => e.case.episodes.length > 0 && e.case !== c);
      if (donors.length === 0) return false;
      const donor = rng.pick(donors).case.episodes;
      const cut = g.from + rng.int(0, Math.max(1, g.until - g.from));
      const atOf = (e: FaultEpisode): number => (e as { at?: number }).at ?? g.from;
      const head = eps.filter((e) => atOf(e) < cut);
      const tail = donor.filter((e) => atOf(e) >= cut).map((e) => ({ ...e }));
      if (tail.length === 0) return false;
      const next = [...head, ...tail].slice(0, g.maxFaults) as FaultEpisode[];
      if (next.length === head.length) return false;
      eps.splice(0, eps.length, ...next);
      return true;
    }
    case 'seed':
      c.seed = String(rng.int(0, 0x7fffffff));
      return true;
    case 'workload':
      if (!ctx.workload) return false;
      c.workload = draw(ctx.workload, rng);
      return true;
    case 'trigger': {
      // Re-aim an episode at the moment of a protocol step (BUGGIFY-style): start it on a trigger,
      // usually at the triggering node, the first occurrence, no or a tiny delay, and often a blink
      // length (a crash and its restart inside a round trip), armed from the window's start or where it was.
      if (eps.length === 0 || g.triggers.length === 0) return false;
      const i = rng.int(0, eps.length);
      const e = eps[i] as FaultEpisode;
      const nth = rng.chance(0.7) ? 1 : 1 + rng.int(0, g.maxNth);
      const delay = rng.chance(0.5) ? 0 : Math.round(Math.exp(Math.log(10) + rng.next() * (Math.log(Math.max(11, g.maxDelay)) - Math.log(10))));
      let out: FaultEpisode = rng.chance(0.75) ? atTriggerNode(e) : { ...e };
      if ('length' in out && rng.chance(0.5)) {
        const hi = Math.min(g.maxEpisode, Math.max(100, 4 * g.maxDelay));
        const lo = Math.min(100, hi);
        out = { ...out, length: clamp(Math.round(Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)))), 1, g.maxEpisode) };
      }
      eps[i] = { ...out, ...(rng.chance(0.5) ? { at: g.from } : {}), on: { event: rng.pick(g.triggers), nth, delay: Math.min(delay, g.maxDelay) } };
      return true;
    }
    case 'window': {
      // Another fault-window share or, a third of the time when runs draw their length, another run length.
      const spans = (ctx.spans ?? []).filter((x) => x !== (c.span ?? 100));
      const other = ctx.windows.filter((w) => w !== c.window);
      if (spans.length > 0 && (other.length === 0 || rng.chance(1 / 3))) {
        c.span = rng.pick(spans);
        return true;
      }
      if (other.length === 0) return false;
      c.window = rng.pick(other);
      return true;
    }
  }
}

/** A fresh reseed salt. */
function freshSalt(rng: Rng): string {
  return String(rng.int(1, 0x7fffffff));
}

/** Log-uniform integer in [lo, hi] (lo >= 1). */
function logUniform(rng: Rng, lo: number, hi: number): number {
  const a = Math.max(1, Math.min(lo, hi));
  const b = Math.max(a, hi);
  return Math.round(Math.exp(Math.log(a) + rng.next() * (Math.log(b) - Math.log(a))));
}

/**
 * The end of a case's fault window (µs): `window` percent of the generator's window, as fuzz() cuts it, and
 * of that `span` percent (a run of `span` percent of the duration scales its fault window alike).
 */
export function windowEnd(g: Pick<ResolvedFaultGen, 'from' | 'until'>, window: number, span = 100): Micros {
  return g.from + Math.max(1, Math.floor(((g.until - g.from) * window * Math.min(100, span)) / 10000));
}

export interface BranchContext {
  gen: ResolvedFaultGen;
  /** How many runs reached each feature (the energy's counts). */
  hits: ReadonlyMap<string, number>;
  /** One network round trip of the scenario (µs): the unit the cut's distance from the reached element is drawn in. */
  roundTrip: Micros;
  /** The run's duration (µs): a cut stays inside it. */
  duration: Micros;
}

/** Where a branch cut: the feature aimed at, when the parent first reached it, and the cut. */
export interface BranchPoint {
  feature: string;
  reached: Micros;
  cut: Micros;
}

/**
 * `branch` (Antithesis-style "rewind"): a run is a pure function of (seed, timeline), so a child that keeps
 * everything of the parent before a time t and adds a `reseed` at t is the parent's run up to t exactly, and
 * from t on a fresh draw of every random stream (latencies, losses, election timeouts, target picks). The
 * cut is near the moment the parent first reached one of its rarest features (fewest runs reached it; a
 * random one of its features one time in four): just after it (two times in three: keep what was reached
 * and try another future) or just before it (another way into the same moment), at a log-uniform distance
 * of 1/8 to 8 round trips. Episodes of the parent that start after the cut are each kept or dropped (a fair
 * coin), earlier reseeds are kept (they made the prefix), and up to two fresh episodes start after the cut,
 * most of them on a protocol trigger armed at the cut. With energy on rare features this walks a chain of
 * precursor states: reach A once, then branch from A many times to reach B. Undefined when the parent
 * recorded no times.
 */
export function branch(parent: CorpusEntry, rng: Rng, ctx: BranchContext): { child: EpisodeCase; point: BranchPoint } | undefined {
  const times = parent.times;
  if (!times || times.size === 0) return undefined;
  const g = ctx.gen;
  const features = [...times.keys()];
  let feature: string;
  if (rng.chance(0.25)) feature = rng.pick(features);
  else {
    let best = Number.MAX_SAFE_INTEGER;
    let rarest: string[] = [];
    for (const f of features) {
      const h = ctx.hits.get(f) ?? 1;
      if (h < best) {
        best = h;
        rarest = [f];
      } else if (h === best) rarest.push(f);
    }
    feature = rng.pick(rarest);
  }
  const reached = getOrFail(times, feature, 'first time of a trace feature');
  const rtt = Math.max(1, ctx.roundTrip);
  const distance = logUniform(rng, Math.max(1, Math.round(rtt / 8)), 8 * rtt);
  const c = parent.case;
  const cut = clamp(rng.chance(2 / 3) ? reached + distance : reached - distance, 1, Math.max(1, spanDuration(g, c, ctx.duration) - 1));
  const until = windowEnd(g, c.window, c.span);
  const before = c.episodes.filter((e) => e.at < cut).map((e) => ({ ...e })) as FaultEpisode[];
  const later = c.episodes.filter((e) => e.at >= cut && e.kind !== 'reseed' && rng.chance(0.5)).map((e) => ({ ...e })) as FaultEpisode[];
  const episodes: FaultEpisode[] = [...before, { kind: 'reseed', at: cut, salt: freshSalt(rng) }, ...later];
  const fresh = rng.chance(1 / 3) ? 0 : 1 + rng.int(0, 2);
  for (let k = 0; k < fresh && cut < until - 1 && episodes.length < g.maxFaults + 1; k++) {
    const e = episodeAfterCut(g, rng, cut, until);
    if (e) episodes.push(e);
  }
  return { child: { seed: c.seed, episodes, workload: c.workload, window: c.window, ...(c.span !== undefined ? { span: c.span } : {}) }, point: { feature, reached, cut } };
}

/**
 * A fresh episode after a branch cut: drawn from the generator's own `episodeArb`, 60% of the time (when the
 * protocol has triggers) started on a trigger armed at the cut (the next occurrences of a protocol step after
 * the branch point: often at its node, half the time a blink long), else at a log-uniform time after the cut.
 */
export function episodeAfterCut(g: ResolvedFaultGen, rng: Rng, cut: Micros, until: Micros): FaultEpisode | undefined {
  const kinds = g.kinds.filter((k) => episodeArb(k, g) !== undefined);
  if (kinds.length === 0 || cut >= until - 1) return undefined;
  const kind = pickKind(kinds, g, rng.next());
  const arb = kind === undefined ? undefined : episodeArb(kind, g);
  if (!arb) return undefined;
  const drawn = { ...draw(arb, rng) } as FaultEpisode;
  if (g.triggers.length > 0 && rng.chance(0.6)) {
    const nth = rng.chance(0.7) ? 1 : 1 + rng.int(0, g.maxNth);
    const delay = rng.chance(0.5) ? 0 : Math.min(g.maxDelay, logUniform(rng, 10, Math.max(10, g.maxDelay)));
    let out: FaultEpisode = rng.chance(0.75) ? atTriggerNode(drawn) : drawn;
    if ('length' in out && rng.chance(0.5)) out = { ...out, length: clamp(logUniform(rng, Math.min(100, g.maxEpisode), Math.min(g.maxEpisode, Math.max(100, 4 * g.maxDelay))), 1, g.maxEpisode) };
    return { ...out, at: cut, on: { event: rng.pick(g.triggers), nth, delay } } as FaultEpisode;
  }
  const { on: _none, ...timed } = drawn;
  return { ...timed, at: clamp(cut + logUniform(rng, 100, Math.max(100, until - cut)), cut, until - 1) } as FaultEpisode;
}

/** Suffix mutations a branch's havoc stacks (see havocAfterCut). */
export const SUFFIX_MUTATIONS = ['shift', 'add', 'pulse', 'reseed', 'drop'] as const;

/**
 * Havoc after a branch (AFL's havoc, on the suffix only): 1-4 stacked mutations of the episodes at or after
 * the cut, so the prefix the branch keeps is untouched (the child still is its parent's run up to the cut).
 * `shift` moves a later episode by a log-uniform step (1/8 to 8 round trips), `add` adds an episode after the
 * cut (episodeAfterCut), `pulse` adds a crash and restart of a short downtime (100 µs to 4 round trips) at a
 * role or node, a log-uniform time after the cut or on a trigger armed at it, `reseed` adds another re-fork
 * later in the suffix, `drop` removes a later episode (never the cut's own reseed). Mutates `child` in place;
 * returns how many applied.
 */
export function havocAfterCut(child: EpisodeCase, cut: Micros, rng: Rng, ctx: { gen: ResolvedFaultGen; roundTrip: Micros }): number {
  const g = ctx.gen;
  const until = windowEnd(g, child.window, child.span);
  const rtt = Math.max(1, ctx.roundTrip);
  const eps = child.episodes;
  const later = (): number[] => eps.flatMap((e, i) => (e.at > cut || (e.at === cut && e.kind !== 'reseed') ? [i] : []));
  const n = 1 + rng.int(0, 4);
  let applied = 0;
  for (let tries = 0; applied < n && tries < 12; tries++) {
    const m = rng.pick(SUFFIX_MUTATIONS);
    switch (m) {
      case 'shift': {
        const is = later();
        if (is.length === 0) continue;
        const i = rng.pick(is);
        const e = eps[i] as FaultEpisode;
        const step = logUniform(rng, Math.max(1, Math.round(rtt / 8)), 8 * rtt) * (rng.chance(0.5) ? 1 : -1);
        eps[i] = { ...e, at: clamp(e.at + step, cut, Math.max(cut, until - 1)) } as FaultEpisode;
        break;
      }
      case 'add': {
        if (eps.length > g.maxFaults) continue;
        const e = episodeAfterCut(g, rng, cut, until);
        if (!e) continue;
        eps.push(e);
        break;
      }
      case 'pulse': {
        if (eps.length > g.maxFaults || cut >= until - 1 || !g.kinds.includes('crash')) continue;
        const node = draw(targetArb(g), rng);
        const length = logUniform(rng, Math.min(100, g.maxEpisode), Math.min(g.maxEpisode, 4 * rtt));
        if (g.triggers.length > 0 && rng.chance(0.5)) {
          const on = { event: rng.pick(g.triggers), nth: rng.chance(0.7) ? 1 : 1 + rng.int(0, g.maxNth), delay: rng.chance(0.5) ? 0 : logUniform(rng, 10, Math.max(10, g.maxDelay)) };
          eps.push({ kind: 'crash', node: rng.chance(0.75) ? '@trigger' : node, at: cut, length, on });
        } else {
          eps.push({ kind: 'crash', node: node === '@trigger' ? '@any' : node, at: clamp(cut + logUniform(rng, 100, 8 * rtt), cut, until - 1), length });
        }
        break;
      }
      case 'reseed':
        eps.push({ kind: 'reseed', at: clamp(cut + logUniform(rng, Math.max(1, Math.round(rtt / 8)), 8 * rtt), cut + 1, Math.max(cut + 1, ctx.gen.until)), salt: freshSalt(rng) });
        break;
      case 'drop': {
        const is = later();
        if (is.length === 0) continue;
        eps.splice(rng.pick(is), 1);
        break;
      }
    }
    applied++;
  }
  return applied;
}

/** A mutant of `parent`: 1 to 3 stacked mutations (AFL's "havoc"), at least one of which applied. */
export function mutate(parent: EpisodeCase, rng: Rng, ctx: MutationContext): EpisodeCase {
  const c: EpisodeCase = { seed: parent.seed, episodes: parent.episodes.map((e) => ({ ...e })) as FaultEpisode[], workload: parent.workload, window: parent.window, ...(parent.span !== undefined ? { span: parent.span } : {}) };
  const n = 1 + rng.int(0, 3);
  let applied = 0;
  for (let tries = 0; applied < n && tries < 20; tries++) {
    if (applyMutation(rng.pick(MUTATIONS), c, rng, ctx)) applied++;
  }
  return c;
}

/** One cell of the systematic opening: a fault kind started on a protocol trigger. */
export interface OpeningCell {
  trigger: string;
  kind: GenFaultKind;
}

/**
 * The systematic opening's plan (FATE, Gunawi et al., NSDI 2011: inject one failure at each distinct failure
 * point first; Jepsen's nemesis packages): every protocol trigger crossed with every fault kind the generator
 * can draw, in an order shuffled by `rng` (Fisher-Yates), so campaigns of different seeds open differently.
 * Empty without triggers. Built from what the protocol declares, nothing per protocol here.
 */
export function openingPlan(g: ResolvedFaultGen, rng: Rng): OpeningCell[] {
  const kinds = g.kinds.filter((k) => episodeArb(k, g) !== undefined);
  const cells: OpeningCell[] = g.triggers.flatMap((trigger) => kinds.map((kind) => ({ trigger, kind })));
  for (let i = cells.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [cells[i], cells[j]] = [cells[j] as OpeningCell, cells[i] as OpeningCell];
  }
  return cells;
}

/** Run lengths (percent of the duration) an opening run draws from: short, so the opening costs little. */
export const OPENING_SPANS = [25, 50] as const;

/**
 * One run of the systematic opening: a single episode of `cell.kind`, drawn from the generator's own
 * `episodeArb` and then aimed: armed from the window's start, started on the first occurrence of
 * `cell.trigger` (no delay half the time, else log-uniform from 10 µs to `maxDelay`), at the triggering
 * node (`@trigger`, or a partition around it), lasting a blink (100 µs to 4x `maxDelay`: a crash and its
 * restart inside a round trip) half the time, else its drawn length. A fresh simulation seed, a drawn
 * workload (when there is one), the whole fault window and a short run (OPENING_SPANS; the calm after the
 * quiesce kept, spanDuration). Plain data like any mutant: it shrinks and replays the same way.
 */
export function openingCase(cell: OpeningCell, g: ResolvedFaultGen, rng: Rng, workload: WorkloadArb | undefined): EpisodeCase {
  const arb = episodeArb(cell.kind, g);
  if (!arb) throw new Error(`no episode arbitrary for fault kind ${cell.kind}`);
  const { on: _none, ...drawn } = draw(arb, rng);
  let e = atTriggerNode(drawn as FaultEpisode);
  if ('length' in e && rng.chance(0.5)) e = { ...e, length: clamp(logUniform(rng, Math.min(100, g.maxEpisode), Math.min(g.maxEpisode, Math.max(100, 4 * g.maxDelay))), 1, g.maxEpisode) };
  const delay = rng.chance(0.5) ? 0 : Math.min(g.maxDelay, logUniform(rng, 10, Math.max(10, g.maxDelay)));
  const episode = { ...e, at: g.from, on: { event: cell.trigger, nth: 1, delay } } as FaultEpisode;
  return { seed: String(rng.int(0, 0x7fffffff)), episodes: [episode], workload: workload ? draw(workload, rng) : {}, window: 100, span: rng.pick(OPENING_SPANS) };
}
