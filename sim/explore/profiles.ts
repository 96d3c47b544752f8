// Explore profiles: for each protocol explored through the engine, a small
// configuration (few nodes, a bounded workload, deterministic client choices),
// default bounds, the fields left out of node fingerprints and why that is
// sound, and the reachability goals reported. A scenario's own config is
// merged over the profile's, so `faultline explore <scenario>` keeps what the
// scenario says.

import type { Simulation } from '../engine/simulation.ts';
import type { SimView } from '../engine/types.ts';
import type { PreparedRun } from '../scenario/resolve.ts';
import type { DriveBudgets } from './driver.ts';
import type { SymmetrySpec } from './engine-model.ts';

export interface ExploreProfile {
  protocol: string;
  /** Config for `faultline explore <protocol>` (a scenario keeps its own). */
  config: Record<string, unknown>;
  budgets: DriveBudgets;
  /** Merge identical in-flight copies (driver.ts): for protocols that retry on timers. */
  coalesce: boolean;
  /** Do not expand states with more messages in flight. */
  maxInFlight?: number;
  /** Fields of node objects left out of fingerprints for this config, with the reason in a comment. */
  skipKeys?(config: Record<string, unknown>): string[];
  /** Fields of durable disk records left out of fingerprints, with the reason in a comment. */
  diskSkipKeys?: readonly string[];
  /** False for states beyond the profile's bounds; `maxTerm` (raft, `--max-term`) overrides its term bound. */
  withinBounds?(view: SimView, limits?: { maxTerm?: number }): boolean;
  /** Whether the profile has a term bound that `--max-term` may change (raft). */
  terms?: boolean;
  goals?(view: SimView): string[];
  /** Interchangeable nodes of a run of this protocol, for --symmetry (absent: none; see SymmetrySpec). */
  symmetry?(run: PreparedRun): SymmetrySpec;
  /**
   * Functions a snapshot may share with the run it was copied from where a fresh run has none in their
   * place (see DriverOptions.shareable), each with the reason it is harmless in a comment.
   */
  shareable?: readonly string[];
  /** One line on the bounds, printed with the report. */
  bounds: string;
  /** Every timer name (before any `/key`) the protocol's nodes arm: the kinds `--timers` may bound. */
  timerKinds: readonly string[];
  /**
   * Dead messages (DriverOptions.dead): a message in flight whose delivery changes nothing, now or in any later
   * state, is removed from the state (`faultline explore --no-dead-messages` keeps them). Each with its reason.
   */
  dead?(config: Record<string, unknown>): ((sim: Simulation, to: string, msg: unknown) => boolean) | undefined;
  /**
   * Timed driving (DriverOptions.timed): timers fire in due order, drift (DriveBudgets.drift) is a budget, and
   * time is in the state. For protocols whose safety rests on clocks (the lock service's leases).
   */
  timed?: boolean;
  /** The scenario's network for `faultline explore <protocol>` (timed profiles: a constant latency, see lock). */
  network?: Record<string, unknown>;
}

function published<T>(view: SimView, id: string): T | undefined {
  return view.published(id) as T | undefined;
}

/** Raft: highest term any server has reached. */
export const RAFT_MAX_TERM = 3;

const profiles: ExploreProfile[] = [
  {
    protocol: 'twopc',
    // client.ts (next, timeout), coordinator.ts (vote, retry, flush, resend), participant.ts (work, in-doubt).
    timerKinds: ['next', 'timeout', 'vote', 'retry', 'flush', 'resend', 'work', 'in-doubt'],
    // 2 participants, one transfer of 1 between their single accounts: amounts and accounts are fixed,
    // so the client's random draws cannot split the space.
    config: { participants: 2, clients: 1, transfers: 1, accountsPerShard: 1, amount: { min: 1, max: 1 } },
    budgets: { crashes: 1, losses: 0, duplicates: 0 },
    // inDoubtSince is a clock reading used only in a log line ("resolved after x ms in doubt").
    skipKeys: () => ['inDoubtSince'],
    // preparedAt, in a participant's prepared record, is the clock reading inDoubtSince is restored from after
    // a restart: a log line only. Left in, it made states differ by the time at which a step was taken, so
    // two orders of independent steps (partial-order reduction) did not reach the same fingerprint.
    diskSkipKeys: ['preparedAt'],
    // The coordinator re-sends work, prepare and decisions on timers: without merging, every firing adds a copy.
    coalesce: true,
    bounds: 'crashes hit servers (coordinator, participants)',
    goals(view) {
      const st = published<{ committed?: number; aborted?: number }>(view, 'c1');
      const out: string[] = [];
      if ((st?.committed ?? 0) > 0) out.push('client-saw-commit');
      if ((st?.aborted ?? 0) > 0) out.push('client-saw-abort');
      return out;
    },
  },
  {
    protocol: 'raft',
    // node.ts (election, heartbeat: a server's), client.ts (think, retry, resend: a client's).
    timerKinds: ['election', 'heartbeat', 'think', 'retry', 'resend'],
    // 3 servers and one client putting one key once; no PreVote and no CheckQuorum, so no decision reads a clock.
    config: { servers: 3, clients: 1, preVote: false, checkQuorum: false, client: { maxOps: 1, keys: 1, mix: { get: 0, put: 1, append: 0, cas: 0 } } },
    budgets: { crashes: 1, losses: 0, duplicates: 0 },
    coalesce: true,
    maxInFlight: 6,
    // lastAck and lastLeaderContact are clock readings used only by CheckQuorum and PreVote (so they are
    // left out only when both are off); `changes` lists rewritten log indexes for checkers' incremental reads (checker memory, not behaviour); `round`
    // numbers ReadIndex rounds, which only reads='readindex' uses.
    // `peers` (the other servers) and `nodes` (the Io's cluster list) are constant topology, written in
    // scenario order: left out so that permuted servers write alike (symmetry).
    skipKeys: (c) => [
      'changes',
      'peers',
      'nodes',
      ...(c.preVote === false && c.checkQuorum === false ? ['lastAck', 'lastLeaderContact'] : []),
      ...(c.reads === 'log' ? ['round'] : []),
    ],
    terms: true,
    withinBounds(view, limits) {
      const max = limits?.maxTerm ?? RAFT_MAX_TERM;
      for (const id of view.nodeIds) {
        const st = published<{ term?: number }>(view, id);
        if ((st?.term ?? 0) > max) return false;
      }
      return true;
    },
    goals(view) {
      const out: string[] = [];
      for (const id of view.nodeIds) {
        const st = published<{ role?: string; commitIndex?: number }>(view, id);
        if (st?.role === 'leader' && !out.includes('leader-elected')) out.push('leader-elected');
        if ((st?.commitIndex ?? 0) > 0 && !out.includes('entry-committed')) out.push('entry-committed');
      }
      return out;
    },
    // Servers have one config apart from their ids, and RaftNode/RaftServer read ids only as identities
    // (votedFor, leaderId, peer maps): every permutation of the servers is an automorphism of their steps.
    // The client keeps its server as a position (`target`) in its server list: written as that server's
    // id. Not covered: where the client's redirect picks a server at random (rng.pick over positions),
    // the draw is not permuted; random streams are not state anyway (README: what is abstracted).
    symmetry(run) {
      const servers = run.nodes.filter((n) => n.role === 'server').map((n) => n.id);
      const clients = run.nodes.filter((n) => n.role === 'client').map((n) => n.id);
      return { groups: [servers], positions: { nodes: clients, keys: ['target'], list: servers } };
    },
    // The client's operation in progress holds `outcome`, a closure over the operation (immutable) and the
    // workload's `lastSeen` map (the values last read, for cas). Shared by a copy, a put by the copy would
    // write that map of the run it was copied from; only cas reads it, and the profile's workload is
    // put-only, so no decision reads it.
    shareable: ['outcome'],
    bounds: `terms <= ${RAFT_MAX_TERM}`,
    // A response (vote-resp of a real election, append-resp, snapshot-resp) whose term is below its receiver's
    // term is ignored by the receiver: node.ts onVoteResponse/onAppendResponse/onSnapshotResponse return before
    // any effect unless m.term > currentTerm or m.term === currentTerm (Figure 2: a reply of an older term is
    // stale). The receiver's durable term (raft/hard, fsynced in the step that raised the term, restored on
    // restart) never decreases, so the message stays ignored in every later state, whether delivered now,
    // later, or after a crash and restart. The receiver's current term is at least its durable term, so the
    // test reads the durable one (sound while the node is down too). Requests of an older term are kept:
    // their reply carries the receiver's term and can make the sender step down.
    // Every handled message ends with applyCommitted (node.ts step), a no-op in every state here: each step
    // applies up to commitIndex, and a restart restores lastApplied = commitIndex. Not with the planted bug
    // applyBeforeCommit: it applies up to the last index, which a restart leaves behind, so the next message,
    // a stale response too, applies entries: no message is declared dead then.
    dead(config) {
      if ((config.bugs as Record<string, unknown> | undefined)?.applyBeforeCommit === true) return undefined;
      return (sim, to, msg) => {
        const m = msg as { type?: string; term?: number; pre?: boolean };
        if (typeof m.term !== 'number') return false;
        if (!(m.type === 'append-resp' || m.type === 'snapshot-resp' || (m.type === 'vote-resp' && m.pre === false))) return false;
        const hard = sim.diskOf(to).durableView().get('raft/hard') as { term?: number } | undefined;
        return typeof hard?.term === 'number' && m.term < hard.term;
      };
    },
  },
];

/** Lock profile: states later than this true time (µs) are not expanded (a bound, reported as `cut`). */
export const LOCK_HORIZON = 1_200_000;

profiles.push({
  protocol: 'lock',
  // server.ts (expire), client.ts (think, retry, keepalive, check, write).
  timerKinds: ['expire', 'think', 'retry', 'keepalive', 'check', 'write'],
  // Two fencing clients, one lock, one critical section of one write each, no think time (think 0: the draw
  // rng.int(0, 1) is always 0), both start at 0. The client's random draws then only name its session
  // (`c1/3fa2b1`): a name used only as an identity, and in the state once drawn. The lease timings are the
  // protocol's defaults (ttl 500 ms, keep-alive 100 ms, margin 50 ms, retry 50 ms, work 5 ms).
  config: { clients: 2, locks: 1, cycles: 1, writes: 1, think: 0, stagger: 0 },
  // Time is in the state and decides what may happen next, so message delays must not be random draws (whose
  // stream position is not state): one constant latency, the least delay; any longer one is explored (a
  // message may be delivered at any later moment).
  network: { latency: { kind: 'constant', value: 1000 } },
  timed: true,
  // Crashes hit the lock server (role 'server'; the resource's role is 'resource').
  budgets: { crashes: 0, losses: 0, duplicates: 0, drift: 0, delays: 1, timers: { keepalive: 1, retry: 0 } },
  // Not merged: a merge drops the newer copy, and the engine's drop moves true time to its arrival (timed
  // driving must not move time but through a step it allows). Retries are bounded by the timer budget instead.
  coalesce: false,
  bounds: `true time <= ${LOCK_HORIZON / 1000} ms; timers fire in due order (drift: late firings)`,
  withinBounds(view) {
    return view.now <= LOCK_HORIZON;
  },
  goals(view) {
    const out: string[] = [];
    for (const id of view.nodeIds) {
      const st = published<{ holding?: boolean; accepted?: number }>(view, id);
      if (st?.holding === true && !out.includes('lock-held')) out.push('lock-held');
      if ((st?.accepted ?? 0) >= 2 && !out.includes('both-wrote')) out.push('both-wrote');
    }
    return out;
  },
});

export function exploreProfile(protocol: string): ExploreProfile | undefined {
  return profiles.find((p) => p.protocol === protocol);
}

export function profileProtocols(): string[] {
  return profiles.map((p) => p.protocol);
}
