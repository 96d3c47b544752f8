// fast-check arbitraries for what a run is made of: a simulation seed, a fault
// schedule over given nodes and a fault window, and a protocol's workload (a
// patch of its config). Protocols compose these in their own property tests;
// fuzz() composes them into whole runs.
//
// A schedule is generated as a list of fault *episodes* (a crash and its
// restart, a partition and its heal, a pause and its resume, a loss burst and
// its end, ...) and expanded into a timeline. fast-check then shrinks a failing
// schedule by dropping whole episodes, moving them earlier and making them
// shorter and milder, which is what a person wants to read. Every schedule ends
// in a quiesce at the end of the fault window, so liveness checkers run.

import fc from 'fast-check';
import type { FaultAction, TimedFault } from '../engine/config.ts';
import type { Micros, NodeId } from '../engine/types.ts';

/** Fault kinds the generator knows. `corrupt` is opt-in: it breaks any protocol that does not handle disk corruption. */
export const GEN_FAULT_KINDS = ['crash', 'partition', 'isolate', 'block', 'pause', 'clock', 'loss', 'corrupt'] as const;
export type GenFaultKind = (typeof GEN_FAULT_KINDS)[number];
export const DEFAULT_FAULT_KINDS: readonly GenFaultKind[] = ['crash', 'partition', 'isolate', 'block', 'pause', 'clock', 'loss'];

export interface FaultGenOptions {
  /** Nodes faults may hit (default in fuzz(): the protocol's servers, or every node when it has none). */
  nodes?: NodeId[];
  /** Kinds of episode to draw (default DEFAULT_FAULT_KINDS). */
  kinds?: readonly GenFaultKind[];
  /** Most episodes in one schedule (default 8). */
  maxFaults?: number;
  /** Fault window: episodes start at or after `from` (default 0) ... */
  from?: Micros;
  /** ... and end by `until`, where the quiesce is (default 70% of the duration). */
  until?: Micros;
  /** Longest crash, pause, partition or loss burst (default half the window). */
  maxEpisode?: Micros;
  /** Largest clock offset, either sign (default 500 ms). */
  maxClockOffset?: Micros;
  /** Largest clock drift, either sign, in parts per million (default 10_000 = 1%). */
  maxDriftPpm?: number;
  /** Largest loss probability of a burst, in percent (default 90). */
  maxLossPercent?: number;
  /** Swarm testing: each run uses a random subset of `kinds` (default false). */
  swarm?: boolean;
}

/** One fault episode: what the generator draws and fast-check shrinks. */
export type FaultEpisode =
  | { kind: 'crash'; node: NodeId; at: Micros; length: Micros }
  | { kind: 'pause'; node: NodeId; at: Micros; length: Micros }
  | { kind: 'partition'; side: NodeId[]; at: Micros; length: Micros }
  | { kind: 'isolate'; node: NodeId; at: Micros; length: Micros }
  | { kind: 'block'; from: NodeId; to: NodeId; at: Micros; length: Micros }
  | { kind: 'loss'; percent: number; at: Micros; length: Micros }
  | { kind: 'clock'; node: NodeId; at: Micros; offset: Micros; driftPpm: number }
  | { kind: 'corrupt'; node: NodeId; at: Micros };

export interface ResolvedFaultGen {
  nodes: NodeId[];
  kinds: readonly GenFaultKind[];
  maxFaults: number;
  from: Micros;
  until: Micros;
  maxEpisode: Micros;
  maxClockOffset: Micros;
  maxDriftPpm: number;
  maxLossPercent: number;
  swarm: boolean;
}

/** Fill in the defaults of FaultGenOptions for a run of `duration` µs over `nodes`. */
export function resolveFaultGen(opts: FaultGenOptions, nodes: readonly NodeId[], duration: Micros): ResolvedFaultGen {
  const from = opts.from ?? 0;
  const until = opts.until ?? Math.floor(duration * 0.7);
  if (!(until > from)) throw new RangeError(`fault window is empty: from ${from}us until ${until}us`);
  const targets = [...(opts.nodes ?? nodes)];
  if (targets.length === 0) throw new RangeError('fault generation needs at least one target node');
  for (const k of opts.kinds ?? []) {
    if (!(GEN_FAULT_KINDS as readonly string[]).includes(k)) throw new RangeError(`unknown fault kind "${k}"; expected one of: ${GEN_FAULT_KINDS.join(', ')}`);
  }
  return {
    nodes: targets,
    kinds: opts.kinds ?? DEFAULT_FAULT_KINDS,
    maxFaults: opts.maxFaults ?? 8,
    from,
    until,
    maxEpisode: Math.max(1, opts.maxEpisode ?? Math.floor((until - from) / 2)),
    maxClockOffset: opts.maxClockOffset ?? 500_000,
    maxDriftPpm: opts.maxDriftPpm ?? 10_000,
    maxLossPercent: opts.maxLossPercent ?? 90,
    swarm: opts.swarm ?? false,
  };
}

/** A simulation seed. Not shrunk: every seed is as simple as every other, and shrinking it would only cost runs. */
export function seedArb(): fc.Arbitrary<string> {
  return fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })).map(String);
}

/** One episode of the given kind, or undefined when the kind needs more nodes than there are. */
export function episodeArb(kind: GenFaultKind, g: ResolvedFaultGen): fc.Arbitrary<FaultEpisode> | undefined {
  const node = fc.constantFrom(...g.nodes);
  const at = fc.integer({ min: g.from, max: g.until - 1 });
  const length = fc.integer({ min: 1, max: g.maxEpisode });
  const n = g.nodes.length;
  switch (kind) {
    case 'crash':
    case 'pause':
    case 'isolate':
      return fc.record({ kind: fc.constant(kind), node, at, length });
    case 'partition':
      if (n < 2) return undefined;
      // One side of the cut; the other side is every other target.
      return fc.record({ kind: fc.constant(kind), side: fc.subarray(g.nodes, { minLength: 1, maxLength: n - 1 }), at, length });
    case 'block':
      if (n < 2) return undefined;
      return fc
        .record({ i: fc.integer({ min: 0, max: n - 1 }), step: fc.integer({ min: 1, max: n - 1 }), at, length })
        .map(({ i, step, at, length }) => ({ kind: 'block', from: g.nodes[i] as NodeId, to: g.nodes[(i + step) % n] as NodeId, at, length }));
    case 'loss':
      return fc.record({ kind: fc.constant(kind), percent: fc.integer({ min: 1, max: g.maxLossPercent }), at, length });
    case 'clock':
      return fc.record({
        kind: fc.constant(kind),
        node,
        at,
        offset: fc.integer({ min: -g.maxClockOffset, max: g.maxClockOffset }),
        driftPpm: fc.integer({ min: -g.maxDriftPpm, max: g.maxDriftPpm }),
      });
    case 'corrupt':
      return fc.record({ kind: fc.constant(kind), node, at });
  }
}

/** Fault episodes, at most maxFaults, of the enabled kinds. */
export function episodesArb(g: ResolvedFaultGen): fc.Arbitrary<FaultEpisode[]> {
  const arbs = g.kinds.map((k) => episodeArb(k, g)).filter((a): a is fc.Arbitrary<FaultEpisode> => a !== undefined);
  if (arbs.length === 0 || g.maxFaults === 0) return fc.constant([]);
  if (!g.swarm || arbs.length === 1) return fc.array(fc.oneof(...arbs), { maxLength: g.maxFaults });
  // Swarm testing (Groce et al., ISSTA 2012): each run draws from a random subset of the kinds, so
  // a run can be all crashes, or crashes and pauses only, instead of always a thin mix of everything.
  return fc
    .subarray(arbs, { minLength: 1 })
    .chain((some) => fc.array(fc.oneof(...some), { maxLength: g.maxFaults }));
}

/** The timeline of some episodes: start and end faults, sorted by time (stable), ending in a quiesce at `until`. */
export function episodesToTimeline(episodes: readonly FaultEpisode[], g: Pick<ResolvedFaultGen, 'nodes' | 'until'>): TimedFault[] {
  const out: TimedFault[] = [];
  const end = (e: { at: Micros; length: Micros }): Micros => Math.min(e.at + e.length, g.until);
  // `at` first, as the scenario schema orders it: a trace header then reads back byte for byte.
  const add = (at: Micros, f: FaultAction): void => {
    out.push({ at, ...f } as TimedFault);
  };
  for (const e of episodes) {
    switch (e.kind) {
      case 'crash':
        add(e.at, { kind: 'crash', node: e.node });
        add(end(e), { kind: 'restart', node: e.node });
        break;
      case 'pause':
        add(e.at, { kind: 'pause', node: e.node });
        add(end(e), { kind: 'resume', node: e.node });
        break;
      case 'partition': {
        const other = g.nodes.filter((id) => !e.side.includes(id));
        add(e.at, { kind: 'partition', groups: [[...e.side], other] });
        add(end(e), { kind: 'heal' });
        break;
      }
      case 'isolate':
        add(e.at, { kind: 'isolate', node: e.node });
        add(end(e), { kind: 'heal' });
        break;
      case 'block':
        add(e.at, { kind: 'block', from: e.from, to: e.to });
        add(end(e), { kind: 'heal' });
        break;
      case 'loss':
        add(e.at, { kind: 'loss', p: e.percent / 100 });
        add(end(e), { kind: 'loss', p: 0 });
        break;
      case 'clock':
        add(e.at, { kind: 'clock', node: e.node, offset: e.offset, drift: e.driftPpm / 1e6 });
        break;
      case 'corrupt':
        add(e.at, { kind: 'corrupt', node: e.node });
        break;
    }
  }
  out.push({ at: g.until, kind: 'quiesce' });
  // Stable: equal times keep episode order, so a schedule always expands the same way.
  return out.map((f, i) => ({ f, i })).sort((a, b) => a.f.at - b.f.at || a.i - b.i).map((x) => x.f);
}

/**
 * A fault schedule over `nodes` for a run of `duration` µs: crash+restart,
 * partitions, isolation, one-way blocks, pauses, clock offset/drift, loss
 * bursts, always ending in a quiesce.
 */
export function faultScheduleArb(nodes: readonly NodeId[], duration: Micros, opts: FaultGenOptions = {}): fc.Arbitrary<TimedFault[]> {
  const g = resolveFaultGen(opts, nodes, duration);
  return episodesArb(g).map((eps) => episodesToTimeline(eps, g));
}

/** A protocol's workload: a patch of its scenario config (merged over the base config, then validated by its schema). */
export type WorkloadArb = fc.Arbitrary<Record<string, unknown>>;

/** Compose several workload arbitraries into one patch (later ones win on conflicting keys). */
export function composeWorkloads(...parts: WorkloadArb[]): WorkloadArb {
  if (parts.length === 0) return fc.constant({});
  return fc.tuple(...parts).map((ps) => ps.reduce<Record<string, unknown>>((acc, p) => mergeConfig(acc, p), {}));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of plain objects; arrays and scalars in `patch` replace what is in `base`. */
export function mergeConfig(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeConfig(b, v) : v;
  }
  return out;
}

/** Everything one fuzz run draws. */
export interface FuzzCase {
  seed: string;
  faults: TimedFault[];
  workload: Record<string, unknown>;
}

/** A whole run: seed, fault schedule and workload patch. */
export function fuzzCaseArb(nodes: readonly NodeId[], duration: Micros, opts: { faults?: FaultGenOptions; workload?: WorkloadArb } = {}): fc.Arbitrary<FuzzCase> {
  return fc.record({
    seed: seedArb(),
    faults: faultScheduleArb(nodes, duration, opts.faults),
    workload: opts.workload ?? fc.constant({}),
  });
}
