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
import { PARTITION_SPLITS, type FaultAction, type NodeTarget, type PartitionSplit, type TimedFault } from '../engine/config.ts';
import type { Micros, NodeId } from '../engine/types.ts';
import type { FuzzFaultKind, FuzzFaultPrior } from '../api/protocol.ts';

/** Fault kinds the generator knows. `corrupt` is opt-in: it breaks any protocol that does not handle disk corruption. */
export const GEN_FAULT_KINDS = ['crash', 'partition', 'isolate', 'block', 'pause', 'clock', 'loss', 'slow', 'corrupt', 'duplicate'] as const;
export type GenFaultKind = (typeof GEN_FAULT_KINDS)[number];
// The protocol API names the same kinds (FuzzFaultKind, for a protocol's fault prior): tsc fails here if the two lists differ.
const sameKinds: [GenFaultKind, FuzzFaultKind] extends [FuzzFaultKind, GenFaultKind] ? true : never = true;
void sameKinds;
// 'duplicate' is a default kind since session 13, but a rare one (DEFAULT_RARE_KINDS): as an ordinary swarm kind
// (session 10) it thinned the draws of the others enough that some planted bugs took several times more runs to
// find (sim/fuzz/README.md, "Duplication as a default kind"), so by default a minority of runs enable it.
export const DEFAULT_FAULT_KINDS: readonly GenFaultKind[] = ['crash', 'partition', 'isolate', 'block', 'pause', 'clock', 'loss', 'slow', 'duplicate'];
/**
 * Default kinds each run enables only with probability RARE_KIND_SHARE (when `kinds` is not given): swarm draws
 * the subset of the other kinds as before, and adds a rare kind to it in a minority of runs.
 */
export const DEFAULT_RARE_KINDS: readonly GenFaultKind[] = ['duplicate'];
/**
 * The rare kinds of a campaign on a protocol with fault prior `prior` when `kinds` is not given: DEFAULT_RARE_KINDS
 * less the kinds the protocol declares ordinary (FuzzFaultPrior.ordinary; sim/fuzz/README.md, "Protocol fault priors").
 */
export function priorRareKinds(prior: FuzzFaultPrior | undefined): readonly GenFaultKind[] {
  const ordinary = prior?.ordinary ?? [];
  return DEFAULT_RARE_KINDS.filter((k) => !ordinary.includes(k));
}
/** The share of runs (0-1) that enable each rare kind (FaultGenOptions.rareShare): 1 run in 4. */
export const RARE_KIND_SHARE = 0.25;
/** The kinds the generator drew when issue 11 was filed (the `random` strategy's default: no slow links). */
export const PLAIN_FAULT_KINDS: readonly GenFaultKind[] = ['crash', 'partition', 'isolate', 'block', 'pause', 'clock', 'loss'];

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
  /**
   * Kinds of `kinds` a run enables only with probability `rareShare` (swarm; without swarm, their episodes are
   * drawn with that weight relative to each other kind). Default DEFAULT_RARE_KINDS when `kinds` is not given,
   * else none (kinds named explicitly are all ordinary).
   */
  rareKinds?: readonly GenFaultKind[];
  /** Probability (0-1) that a run enables each rare kind (default RARE_KIND_SHARE). */
  rareShare?: number;
  /**
   * Roles episodes may target instead of a node (`@leader`: resolved when the fault fires), without
   * the `@`: the protocol's (fuzz() passes them) and/or generic ones (sim/engine/targets.ts). Default none.
   */
  roles?: readonly string[];
  /** Protocol triggers an episode may start on instead of at a time (fuzz() passes the protocol's). Default none. */
  triggers?: readonly string[];
  /** Longest delay between a trigger's occurrence and the fault, µs (default 30 ms: a few round trips). */
  maxDelay?: Micros;
  /** Highest occurrence a trigger waits for (default 3). */
  maxNth?: number;
  /** Draw the quiesce point (at `until`, earlier, or later: see quiesceArb) instead of always at `until` (default: when roles or triggers are given). */
  drawQuiesce?: boolean;
  /**
   * Share (0-1) of untriggered episodes whose start is drawn log-uniform from the window's start (startArb)
   * rather than uniform over the window. Default 0 (opt-in: measured in session 9, sim/fuzz/README.md; try EARLY_SHARE).
   */
  earlyShare?: number;
  /**
   * Weighted swarm: each kind a swarm run enables also draws a weight from this list (shrinking toward the first),
   * so some runs are dense in one kind (many overlapping pauses, say) while keeping the others. Default [1]: every
   * enabled kind weighs the same, as before.
   */
  swarmWeights?: readonly number[];
}

/**
 * The share of episode starts drawn log-uniform from the window's start (startArb) that session 9 measured
 * (opt-in, `earlyShare`): each decade of time after the start (1-10 ms, 10-100 ms, 100 ms-1 s: startup, the
 * first election, the first replication) gets its share of faults, as lengths are log-uniform (lengthArb).
 * fast-check's uniform integers put 2.1% of the starts of a 3.5 s window in 10-100 ms; the mixture 7.6%.
 */
export const EARLY_SHARE = 0.25;

/** A trigger an episode starts on: fire `delay` µs after the `nth` occurrence of `event` (counted from the episode's `at`). */
export interface EpisodeTrigger {
  event: string;
  nth: number;
  delay: Micros;
}

/**
 * One fault episode: what the generator draws and fast-check shrinks. Plain data. A node field is a
 * node id or a role target (`@leader`, `@trigger`); with `on`, the episode starts on a protocol
 * trigger armed at `at` instead of at `at`, and its end comes `length` after its start fired.
 */
export type FaultEpisode = (
  | { kind: 'crash'; node: NodeTarget; at: Micros; length: Micros }
  | { kind: 'pause'; node: NodeTarget; at: Micros; length: Micros }
  | { kind: 'partition'; side: NodeId[]; at: Micros; length: Micros }
  /** A partition aimed at a role: `around` alone, in a minority, or in a majority (PartitionSplit). */
  | { kind: 'partition'; split: PartitionSplit; around: NodeTarget; at: Micros; length: Micros }
  | { kind: 'isolate'; node: NodeTarget; at: Micros; length: Micros }
  | { kind: 'block'; from: NodeTarget; to: NodeTarget; at: Micros; length: Micros }
  | { kind: 'loss'; percent: number; at: Micros; length: Micros }
  /** A duplication burst: for `length`, each message is also delivered a second time with probability `percent`/100 (the copy draws its own latency: a stale replay). */
  | { kind: 'duplicate'; percent: number; at: Micros; length: Micros }
  | { kind: 'clock'; node: NodeTarget; at: Micros; offset: Micros; driftPpm: number }
  | { kind: 'corrupt'; node: NodeTarget; at: Micros }
  /**
   * A slow link for `length`: latency x`factor` on every link of `node` (both ways), or on the one direction
   * `node` -> `to` (message-timing steering: a reply arrives after a timeout, a retry overtakes the original).
   */
  | { kind: 'slow'; node: NodeTarget; to?: NodeTarget; factor: number; at: Micros; length: Micros }
  /**
   * Re-fork every random stream of the run from `at` on (the `reseed` timeline entry): what guided
   * search's `branch` mutation puts at its cut. Never drawn by the generator; not cut at the window's end.
   */
  | { kind: 'reseed'; at: Micros; salt: string }
) & { on?: EpisodeTrigger };

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
  /** Kinds of `kinds` drawn in a minority of runs (see FaultGenOptions.rareKinds). */
  rareKinds: readonly GenFaultKind[];
  rareShare: number;
  roles: readonly string[];
  triggers: readonly string[];
  maxDelay: Micros;
  maxNth: number;
  drawQuiesce: boolean;
  earlyShare: number;
  swarmWeights: readonly number[];
}

/** Fill in the defaults of FaultGenOptions for a run of `duration` µs over `nodes`. */
export function resolveFaultGen(opts: FaultGenOptions, nodes: readonly NodeId[], duration: Micros): ResolvedFaultGen {
  const from = opts.from ?? 0;
  let until = opts.until ?? Math.floor(duration * 0.7);
  // A run of duration 0 (as scenarios allow) is fuzzed over its seed and workload only: no fault window.
  const noWindow = opts.until === undefined && from === 0 && duration === 0;
  if (noWindow) until = 1;
  if (!(until > from)) throw new RangeError(`fault window is empty: from ${from}us until ${until}us`);
  const targets = [...(opts.nodes ?? nodes)];
  if (targets.length === 0) throw new RangeError('fault generation needs at least one target node');
  for (const k of opts.kinds ?? []) {
    if (!(GEN_FAULT_KINDS as readonly string[]).includes(k)) throw new RangeError(`unknown fault kind "${k}"; expected one of: ${GEN_FAULT_KINDS.join(', ')}`);
  }
  const kinds = noWindow ? [] : (opts.kinds ?? DEFAULT_FAULT_KINDS);
  const rareShare = opts.rareShare ?? RARE_KIND_SHARE;
  if (!(rareShare >= 0 && rareShare <= 1)) throw new RangeError(`rareShare must be between 0 and 1 (got ${rareShare})`);
  return {
    nodes: targets,
    kinds,
    rareKinds: (opts.rareKinds ?? (opts.kinds === undefined ? DEFAULT_RARE_KINDS : [])).filter((k) => kinds.includes(k)),
    rareShare,
    maxFaults: noWindow ? 0 : (opts.maxFaults ?? 8),
    from,
    until,
    maxEpisode: Math.max(1, opts.maxEpisode ?? Math.floor((until - from) / 2)),
    maxClockOffset: opts.maxClockOffset ?? 500_000,
    maxDriftPpm: opts.maxDriftPpm ?? 10_000,
    maxLossPercent: opts.maxLossPercent ?? 90,
    swarm: opts.swarm ?? false,
    roles: [...new Set(opts.roles ?? [])],
    triggers: [...new Set(opts.triggers ?? [])],
    maxDelay: opts.maxDelay ?? 30_000,
    maxNth: Math.max(1, opts.maxNth ?? 3),
    drawQuiesce: opts.drawQuiesce ?? ((opts.roles ?? []).length > 0 || (opts.triggers ?? []).length > 0),
    earlyShare: Math.min(1, Math.max(0, opts.earlyShare ?? 0)),
    swarmWeights: swarmWeightsOf(opts.swarmWeights),
  };
}

function swarmWeightsOf(ws: readonly number[] | undefined): readonly number[] {
  const out = ws ?? [1];
  if (out.length === 0 || out.some((w) => !Number.isInteger(w) || w < 1)) throw new RangeError(`swarmWeights must be integers >= 1 (got ${JSON.stringify(out)})`);
  return out;
}

/** A simulation seed. Not shrunk: every seed is as simple as every other, and shrinking it would only cost runs. */
export function seedArb(): fc.Arbitrary<string> {
  return fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })).map(String);
}

/**
 * A node field: a node id, or (when roles are given) a role target. The plain node comes first, so
 * fast-check's cross-shrinking tries a named node before a role. `@trigger` (the node the trigger
 * occurred at) is drawn only when there are triggers; an episode without one targets `@any` instead.
 */
export function targetArb(g: ResolvedFaultGen): fc.Arbitrary<NodeTarget> {
  const node = fc.constantFrom(...g.nodes);
  const roles = [...g.roles, ...(g.triggers.length > 0 && !g.roles.includes('trigger') ? ['trigger'] : [])];
  if (roles.length === 0) return node;
  return fc.oneof({ withCrossShrink: true }, { arbitrary: node, weight: 1 }, { arbitrary: fc.constantFrom(...roles.map((r) => `@${r}`)), weight: 2 });
}

/** Log-uniform integers in [lo, hi] (lo >= 1): every order of magnitude as likely as every other. */
function logUniformArb(lo: number, hi: number): fc.Arbitrary<number> {
  const a = Math.max(1, Math.min(lo, hi));
  return fc.integer({ min: 0, max: 1000 }).map((k) => Math.max(1, Math.round(a * Math.pow(Math.max(a, hi) / a, k / 1000))));
}

/**
 * An optional trigger: none first (shrinking drops the trigger back to a time). The delay is often 0
 * (the fault lands at the very instant of the protocol step, the BUGGIFY-style window: "crash the
 * moment the vote is granted"), else log-uniform from 10 µs or uniform up to maxDelay; nth is often 1
 * (the first occurrence after arming), else up to maxNth.
 */
export function triggerArb(g: ResolvedFaultGen): fc.Arbitrary<EpisodeTrigger | undefined> {
  if (g.triggers.length === 0) return fc.constant(undefined);
  // withCrossShrink: a log-uniform or uniform delay shrinks to the first branch's 0, an nth to 1.
  const delay = fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant(0), weight: 2 },
    { arbitrary: logUniformArb(10, g.maxDelay), weight: 2 },
    { arbitrary: fc.integer({ min: 0, max: g.maxDelay }), weight: 1 },
  );
  const nth = fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(1), weight: 2 }, { arbitrary: fc.integer({ min: 1, max: g.maxNth }), weight: 1 });
  return fc.option(fc.record({ event: fc.constantFrom(...g.triggers), nth, delay }), { nil: undefined, freq: 2 });
}

/**
 * A "blink" length for a triggered episode: log-uniform from 100 µs to a few round trips (4x the
 * longest trigger delay, at most maxEpisode), so a crash at a protocol step is often followed by a
 * restart before the step's consequences arrive (a voter back before the next RequestVote).
 */
export function blinkArb(g: Pick<ResolvedFaultGen, 'maxEpisode' | 'maxDelay'>): fc.Arbitrary<Micros> {
  return logUniformArb(Math.min(100, g.maxEpisode), Math.min(g.maxEpisode, Math.max(100, 4 * g.maxDelay)));
}

/**
 * How long an episode lasts: uniform up to maxEpisode, or log-uniform from 100 µs (so windows of a
 * message's latency, "restart before the next RequestVote arrives", are as likely as ones of seconds),
 * or to the end of the fault window (a long-lasting partial fault).
 */
export function lengthArb(g: Pick<ResolvedFaultGen, 'maxEpisode' | 'from' | 'until'>): fc.Arbitrary<Micros> {
  const lo = Math.min(100, g.maxEpisode);
  const logScale = fc.integer({ min: 0, max: 1000 }).map((k) => Math.max(1, Math.round(lo * Math.pow(g.maxEpisode / lo, k / 1000))));
  return fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: g.maxEpisode }), weight: 3 },
    { arbitrary: logScale, weight: 3 },
    { arbitrary: fc.constant(g.until - g.from), weight: 1 },
  );
}

/** One episode of the given kind, or undefined when the kind needs more nodes than there are. */
export function episodeArb(kind: GenFaultKind, g: ResolvedFaultGen): fc.Arbitrary<FaultEpisode> | undefined {
  const plain = episodeCoreArb(kind, g);
  if (plain === undefined) return undefined;
  if (g.triggers.length === 0) return plain;
  // A triggered episode often acts where its trigger occurred (crash the voter that just voted, isolate
  // the leader that just appended): `atTrigger` moves its first node field to `@trigger` (shrinks to false).
  // Half the triggered episodes are armed from the start of the window, so the first occurrences of the
  // run (the first election, the first votes, the first transactions) count too.
  // `@trigger` is drawn 3 times in 4 (the step's own node is where its window is), and half the
  // triggered episodes with a length get a blink length (see blinkArb). Both shrink to the plain draw.
  return fc
    .tuple(plain, triggerArb(g), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.option(blinkArb(g), { nil: undefined, freq: 2 }))
    .map(([e, on, t, armEarly, blink]) => {
      if (on === undefined) return e;
      const aimed = t > 0 ? atTriggerNode(e) : e;
      const sized = blink !== undefined && 'length' in aimed ? { ...aimed, length: blink } : aimed;
      return { ...sized, ...(armEarly ? { at: g.from } : {}), on };
    });
}

/** The episode with its first node field (node, `around`, block `from`) set to `@trigger`. */
export function atTriggerNode(e: FaultEpisode): FaultEpisode {
  switch (e.kind) {
    case 'loss':
    case 'duplicate':
    case 'reseed':
      return e;
    case 'partition':
      return 'around' in e ? { ...e, around: '@trigger' } : e;
    case 'block':
      return e.to === '@trigger' ? e : { ...e, from: '@trigger' };
    default:
      return { ...e, node: '@trigger' };
  }
}

/**
 * When an untriggered episode starts: uniform over the window, or (a share `earlyShare` of them) log-uniform
 * from 1 ms after the window's start to its end, so the first round trips and election timeouts of a run
 * (startup, the first election, the first replication) are hit as often as its later seconds. Shrinks toward
 * the window's start either way.
 */
export function startArb(g: Pick<ResolvedFaultGen, 'from' | 'until'> & { earlyShare?: number }): fc.Arbitrary<Micros> {
  const uniform = fc.integer({ min: g.from, max: g.until - 1 });
  const share = g.earlyShare ?? 0;
  const span = g.until - g.from;
  if (!(share > 0) || span < 2) return uniform;
  const lo = Math.min(1000, span - 1);
  const early = fc.integer({ min: 0, max: 1000 }).map((k) => g.from + Math.min(span - 1, Math.round(lo * Math.pow(span / lo, k / 1000)) - 1));
  if (share >= 1) return early;
  return fc.oneof({ arbitrary: uniform, weight: Math.round((1 - share) * 100) }, { arbitrary: early, weight: Math.round(share * 100) });
}

/** Fewest target nodes each kind needs to be drawn (two sides of a cut, two ends of a block); the others need one. */
export const KIND_MIN_TARGETS: Partial<Record<GenFaultKind, number>> = { partition: 2, block: 2 };

/** The kinds of `kinds` that `targets` nodes can never draw (episodeCoreArb returns no arbitrary for them), with the fewest they need. */
export function undrawableKinds(kinds: readonly GenFaultKind[], targets: number): { kind: GenFaultKind; min: number }[] {
  return kinds.flatMap((kind) => ((KIND_MIN_TARGETS[kind] ?? 1) > targets ? [{ kind, min: KIND_MIN_TARGETS[kind] ?? 1 }] : []));
}

function episodeCoreArb(kind: GenFaultKind, g: ResolvedFaultGen): fc.Arbitrary<FaultEpisode> | undefined {
  const node = targetArb(g);
  const at = startArb(g);
  // Mostly a drawn length; sometimes to the end of the fault window (a long-lasting partial fault).
  // Targeted mode (roles or triggers given) also draws short and long-lasting episodes; plain mode keeps uniform lengths.
  const length = g.roles.length > 0 || g.triggers.length > 0 ? lengthArb(g) : fc.integer({ min: 1, max: g.maxEpisode });
  const n = g.nodes.length;
  switch (kind) {
    case 'crash':
    case 'pause':
    case 'isolate':
      return fc.record({ kind: fc.constant(kind), node, at, length });
    case 'partition': {
      if (n < 2) return undefined;
      // One side of the cut; the other side is every other target.
      const sides = fc.record({ kind: fc.constant(kind), side: fc.subarray(g.nodes, { minLength: 1, maxLength: n - 1 }), at, length });
      if (g.roles.length === 0 && g.triggers.length === 0) return sides;
      const aimed = fc.record({ kind: fc.constant(kind), split: fc.constantFrom(...PARTITION_SPLITS), around: node, at, length });
      return fc.oneof({ withCrossShrink: true }, sides, aimed);
    }
    case 'block':
      if (n < 2) return undefined;
      if (g.roles.length > 0 || g.triggers.length > 0) {
        return fc.record({ kind: fc.constant(kind), from: node, to: node, at, length }).filter((e) => e.from !== e.to);
      }
      return fc
        .record({ i: fc.integer({ min: 0, max: n - 1 }), step: fc.integer({ min: 1, max: n - 1 }), at, length })
        .map(({ i, step, at, length }) => ({ kind: 'block', from: g.nodes[i] as NodeId, to: g.nodes[(i + step) % n] as NodeId, at, length }));
    case 'loss':
      return fc.record({ kind: fc.constant(kind), percent: fc.integer({ min: 1, max: g.maxLossPercent }), at, length });
    case 'duplicate':
      // At most half the messages copied: every copy of a request is answered (and the answer copied), so
      // a high rate multiplies the traffic of a chatty protocol (raft at 100%: 25x the trace). Shrinks toward 1%.
      return fc.record({ kind: fc.constant(kind), percent: fc.integer({ min: 1, max: 50 }), at, length });
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
    case 'slow': {
      // Factor log-uniform 2-100x (shrinks toward 2); one node's every link first (shrinks to it), or one direction.
      const factor = logUniformArb(2, 100);
      const all = fc.record({ kind: fc.constant(kind), node, factor, at, length });
      if (n < 2) return all;
      const link = fc.record({ kind: fc.constant(kind), node, to: node, factor, at, length }).filter((e) => e.node !== e.to);
      return fc.oneof({ withCrossShrink: true }, all, link);
    }
  }
}

/** Fault episodes, at most maxFaults, of the enabled kinds. */
export function episodesArb(g: ResolvedFaultGen): fc.Arbitrary<FaultEpisode[]> {
  const arbsOf = (ks: readonly GenFaultKind[]): fc.Arbitrary<FaultEpisode>[] => ks.map((k) => episodeArb(k, g)).filter((a): a is fc.Arbitrary<FaultEpisode> => a !== undefined);
  const arbs = arbsOf(g.kinds);
  if (arbs.length === 0 || g.maxFaults === 0) return fc.constant([]);
  const common = arbsOf(g.kinds.filter((k) => !g.rareKinds.includes(k)));
  const rare = arbsOf(g.kinds.filter((k) => g.rareKinds.includes(k)));
  // Rare kinds (duplication by default) go in a minority of runs: without them, or with only them, every kind is ordinary.
  if (rare.length === 0 || common.length === 0) {
    if (!g.swarm || arbs.length === 1) return fc.array(fc.oneof(...arbs), { maxLength: g.maxFaults });
    // Swarm testing (Groce et al., ISSTA 2012): each run draws from a random subset of the kinds, so
    // a run can be all crashes, or crashes and pauses only, instead of always a thin mix of everything.
    return fc.subarray(arbs, { minLength: 1 }).chain((some) => weightedArray(some, [], g));
  }
  const pct = Math.round(g.rareShare * 100);
  if (!g.swarm) {
    // No swarm: a rare kind's episodes are drawn with weight rareShare against 1 for each other kind.
    const weighted = [...common.map((a) => ({ arbitrary: a, weight: 100 })), ...(pct > 0 ? rare.map((a) => ({ arbitrary: a, weight: pct })) : [])];
    return fc.array(fc.oneof(...weighted), { maxLength: g.maxFaults });
  }
  // Swarm with rare kinds: the subset of the other kinds as above, plus each rare kind in `rareShare` of the runs
  // (a draw of 0-99 below 100 - pct leaves it out; it shrinks to 0, so shrinking turns a rare kind off first).
  const on = fc.array(fc.integer({ min: 0, max: 99 }), { minLength: rare.length, maxLength: rare.length });
  return fc
    .tuple(fc.subarray(common, { minLength: 1 }), on)
    .chain(([some, draws]) => weightedArray(some, rare.filter((_, i) => (draws[i] ?? 0) >= 100 - pct), g));
}

/**
 * A swarm run's episodes from its enabled kinds `some` (and rare kinds `extra`, weight 1): each of `some` draws a
 * weight from `g.swarmWeights` (none drawn when that list is [1], the draws of session 13).
 */
function weightedArray(some: readonly fc.Arbitrary<FaultEpisode>[], extra: readonly fc.Arbitrary<FaultEpisode>[], g: ResolvedFaultGen): fc.Arbitrary<FaultEpisode[]> {
  const all = [...some, ...extra];
  if (g.swarmWeights.length === 1 && g.swarmWeights[0] === 1) return fc.array(fc.oneof(...all), { maxLength: g.maxFaults });
  return fc
    .array(fc.constantFrom(...g.swarmWeights), { minLength: some.length, maxLength: some.length })
    .chain((ws) => fc.array(fc.oneof(...some.map((a, i) => ({ arbitrary: a, weight: ws[i] ?? 1 })), ...extra.map((a) => ({ arbitrary: a, weight: 1 }))), { maxLength: g.maxFaults }));
}

/**
 * One kind of `kinds` picked for a new episode (guided's `add` and branch mutations), each rare kind
 * (`g.rareKinds`) with weight `g.rareShare` against 1 for every other kind: mutants draw duplication
 * as rarely as fresh runs do. `u` is a uniform draw in [0, 1).
 */
export function pickKind(kinds: readonly GenFaultKind[], g: Pick<ResolvedFaultGen, 'rareKinds' | 'rareShare'>, u: number): GenFaultKind | undefined {
  const weight = (k: GenFaultKind): number => (g.rareKinds.includes(k) ? g.rareShare : 1);
  const total = kinds.reduce((sum, k) => sum + weight(k), 0);
  if (!(total > 0)) return undefined;
  let x = u * total;
  for (const k of kinds) {
    x -= weight(k);
    if (x < 0) return k;
  }
  // Rounding at u close to 1: the last kind with any weight.
  return [...kinds].reverse().find((k) => weight(k) > 0);
}

/** Does an episode name a role target (resolved when it fires)? */
function episodeTargets(e: FaultEpisode): NodeTarget[] {
  switch (e.kind) {
    case 'partition':
      return 'around' in e ? [e.around] : [];
    case 'block':
      return [e.from, e.to];
    case 'slow':
      return e.to !== undefined ? [e.node, e.to] : [e.node];
    case 'loss':
    case 'duplicate':
    case 'reseed':
      return [];
    default:
      return [e.node];
  }
}

/**
 * The timeline of some episodes: start and end faults, sorted by time (stable), ending in a quiesce
 * at `until`. A plain episode (named nodes, no trigger) becomes two timed faults, its end cut at
 * `until`. An episode with a role target or a trigger becomes a start labelled `<kind>-<at>` (with `on`
 * and `delay` when triggered) and an end `after` that label with `delay: length` on the node `$<label>`, so the
 * end hits the node the start hit, `length` after the start actually fired.
 */
export function episodesToTimeline(episodes: readonly FaultEpisode[], g: Pick<ResolvedFaultGen, 'nodes' | 'until'>): TimedFault[] {
  const out: TimedFault[] = [];
  const end = (e: { at: Micros; length: Micros }): Micros => Math.min(e.at + e.length, g.until);
  // `at` first, then the schedule fields, then the action, as the scenario schema orders them: a trace header then reads back byte for byte.
  const add = (at: Micros, f: FaultAction): void => {
    out.push({ at, ...f } as TimedFault);
  };
  const used = new Set<string>();
  episodes.forEach((e) => {
    const targets = episodeTargets(e);
    const triggered = e.on !== undefined;
    const aimed = e.kind === 'partition' && 'around' in e;
    if (!triggered && !aimed && !targets.some((t) => t.startsWith('@'))) return addPlain(e, add, end, g);
    // Named by what it is, not by its position: dropping another episode (shrinking) keeps this one's
    // name, so its target picks (a stream forked by the name) stay the same.
    let id = `${e.kind}-${e.at}`;
    for (let k = 2; used.has(id); k++) id = `${e.kind}-${e.at}-${k}`;
    used.add(id);
    // `@trigger` means the node the trigger occurred at: without a trigger (shrunk away), any node.
    const t = (x: NodeTarget): NodeTarget => (x === '@trigger' && !triggered ? '@any' : x);
    const start = (f: FaultAction): void => {
      const sched = e.on !== undefined ? { id, on: { event: e.on.event, nth: e.on.nth }, delay: e.on.delay } : { id };
      out.push({ at: e.at, ...sched, ...f } as TimedFault);
    };
    const stop = (length: Micros, f: FaultAction): void => {
      // A timed start's end stays inside the window; a triggered one ends `length` after it fired.
      const delay = triggered ? length : end({ at: e.at, length }) - e.at;
      out.push({ at: e.at, after: id, delay, ...f } as TimedFault);
    };
    switch (e.kind) {
      case 'crash':
        start({ kind: 'crash', node: t(e.node) });
        stop(e.length, { kind: 'restart', node: `$${id}` });
        break;
      case 'pause':
        start({ kind: 'pause', node: t(e.node) });
        stop(e.length, { kind: 'resume', node: `$${id}` });
        break;
      case 'partition':
        if ('around' in e) start({ kind: 'partition', split: e.split, around: t(e.around) });
        else start({ kind: 'partition', groups: [[...e.side], g.nodes.filter((n) => !e.side.includes(n))] });
        stop(e.length, { kind: 'heal' });
        break;
      case 'isolate':
        start({ kind: 'isolate', node: t(e.node) });
        stop(e.length, { kind: 'heal' });
        break;
      case 'block':
        start({ kind: 'block', from: t(e.from), to: t(e.to) });
        stop(e.length, { kind: 'heal' });
        break;
      case 'loss':
        start({ kind: 'loss', p: e.percent / 100 });
        stop(e.length, { kind: 'loss', p: 0 });
        break;
      case 'duplicate':
        start({ kind: 'duplicate', p: e.percent / 100 });
        stop(e.length, { kind: 'duplicate', p: 0 });
        break;
      case 'clock':
        start({ kind: 'clock', node: t(e.node), offset: e.offset, drift: e.driftPpm / 1e6 });
        break;
      case 'corrupt':
        start({ kind: 'corrupt', node: t(e.node) });
        break;
      case 'slow':
        start({ kind: 'slow', node: t(e.node), ...(e.to !== undefined ? { to: t(e.to) } : {}), factor: e.factor });
        // factor 1 without `to`: every link of the node the start hit is normal again.
        stop(e.length, { kind: 'slow', node: `$${id}`, factor: 1 });
        break;
      case 'reseed':
        start({ kind: 'reseed', salt: e.salt });
        break;
    }
  });
  out.push({ at: g.until, kind: 'quiesce' });
  // Stable: equal times keep episode order, so a schedule always expands the same way.
  return out.map((f, i) => ({ f, i })).sort((a, b) => a.f.at - b.f.at || a.i - b.i).map((x) => x.f);
}

function addPlain(e: FaultEpisode, add: (at: Micros, f: FaultAction) => void, end: (e: { at: Micros; length: Micros }) => Micros, g: Pick<ResolvedFaultGen, 'nodes'>): void {
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
      if ('around' in e) break; // aimed partitions always go the labelled way
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
    case 'duplicate':
      add(e.at, { kind: 'duplicate', p: e.percent / 100 });
      add(end(e), { kind: 'duplicate', p: 0 });
      break;
    case 'clock':
      add(e.at, { kind: 'clock', node: e.node, offset: e.offset, drift: e.driftPpm / 1e6 });
      break;
    case 'corrupt':
      add(e.at, { kind: 'corrupt', node: e.node });
      break;
    case 'slow':
      add(e.at, { kind: 'slow', node: e.node, ...(e.to !== undefined ? { to: e.to } : {}), factor: e.factor });
      add(end(e), { kind: 'slow', node: e.node, factor: 1 });
      break;
    case 'reseed':
      add(e.at, { kind: 'reseed', salt: e.salt });
      break;
  }
}

/**
 * A fault schedule over `nodes` for a run of `duration` µs: crash+restart,
 * partitions, isolation, one-way blocks, pauses, clock offset/drift, loss
 * bursts, always ending in a quiesce.
 */
export function faultScheduleArb(nodes: readonly NodeId[], duration: Micros, opts: FaultGenOptions = {}): fc.Arbitrary<TimedFault[]> {
  const g = resolveFaultGen(opts, nodes, duration);
  if (!g.drawQuiesce) return episodesArb(g).map((eps) => episodesToTimeline(eps, g));
  return fc.tuple(episodesArb(g), quiesceArb(g, duration)).map(([eps, q]) => episodesToTimeline(compressEpisodes(eps, g, q), { ...g, until: q }));
}

/**
 * Where the quiesce comes: at `until` (first: what shrinking goes back to), early (a tenth of the
 * window to `until`: time for liveness bounds after it, so liveness bugs show within the run), or late
 * (up to 95% of the run: faults last, and liveness is judged by the checkers that watch faults).
 */
export function quiesceArb(g: Pick<ResolvedFaultGen, 'from' | 'until'>, duration: Micros): fc.Arbitrary<Micros> {
  const early = fc.integer({ min: g.from + Math.max(1, Math.floor((g.until - g.from) / 10)), max: g.until });
  const lateMax = Math.max(g.until, Math.floor(duration * 0.95));
  const late = fc.integer({ min: g.until, max: lateMax });
  return fc.oneof({ arbitrary: fc.constant(g.until), weight: 2 }, { arbitrary: early, weight: 2 }, { arbitrary: late, weight: 1 });
}

/** Episodes drawn in [from, until) moved into [from, q): start times scaled, lengths kept. */
export function compressEpisodes(eps: readonly FaultEpisode[], g: Pick<ResolvedFaultGen, 'from' | 'until'>, q: Micros): FaultEpisode[] {
  if (q === g.until) return [...eps];
  const scale = (q - g.from) / (g.until - g.from);
  return eps.map((e) => ({ ...e, at: Math.min(q - 1, g.from + Math.floor((e.at - g.from) * scale)) }));
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
  /** The run's duration (µs) when shorter than the base scenario's (a drawn run length); absent: the base's. */
  duration?: Micros;
}

/** A whole run: seed, fault schedule and workload patch. */
export function fuzzCaseArb(nodes: readonly NodeId[], duration: Micros, opts: { faults?: FaultGenOptions; workload?: WorkloadArb } = {}): fc.Arbitrary<FuzzCase> {
  return fc.record({
    seed: seedArb(),
    faults: faultScheduleArb(nodes, duration, opts.faults),
    workload: opts.workload ?? fc.constant({}),
  });
}

/**
 * Drop the faults that refer (`after: x`, or a `$x` target) to a fault id no fault of the timeline
 * has any more (e.g. its start was pruned with the nodes a smaller workload removed), transitively.
 */
export function dropOrphanedFaults<F extends TimedFault>(timeline: readonly F[]): F[] {
  let out = [...timeline];
  for (;;) {
    const ids = new Set(out.flatMap((f) => (f.id !== undefined ? [f.id] : [])));
    const refs = (f: F): string[] => {
      const targets: string[] = f.kind === 'block' ? [f.from, f.to] : f.kind === 'partition' ? ('around' in f ? [f.around] : f.groups.flat()) : 'node' in f ? [f.node] : [];
      return [...(f.after !== undefined ? [f.after] : []), ...targets.filter((t) => t.startsWith('$')).map((t) => t.slice(1))];
    };
    const kept = out.filter((f) => refs(f).every((r) => ids.has(r)));
    if (kept.length === out.length) return kept;
    out = kept;
  }
}
