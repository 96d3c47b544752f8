// Snapshots (Driver.clone): a run restored from a copy of its parent is the same run as one rebuilt
// by replaying its path. For random paths of real protocols (raft with a client and crashes, 2PC with
// a crash): the copy's fingerprint equals the replayed run's, and so does everything after: the
// choices, every later fingerprint and the whole trace (header and events, byte for byte), including
// violations of planted bugs found after the copy (checker memory is re-derived from the tape).
import { describe, expect, it } from 'vitest';
import { Driver } from '../../sim/explore/driver.ts';
import { explore } from '../../sim/explore/explorer.ts';
import { EngineModel } from '../../sim/explore/engine-model.ts';
import { exploreTarget } from '../../sim/explore/run.ts';
import { MemorySink } from '../../sim/engine/trace.ts';
import { rootRng } from '../../sim/engine/random.ts';
import type { TraceHeader } from '../../sim/engine/types.ts';

function check(protocol: string, bugs: string[], crashes: number, seeds: number, length: number): { violations: number; compared: number } {
  const target = exploreTarget(protocol, { crashes, bugs });
  const model = target.model as EngineModel;
  const opts = { budgets: model.opts.budgets, coalesce: model.opts.coalesce ?? false, snapshots: true, shareable: model.opts.shareable ?? [] };
  const header = { type: 'header', scenario: protocol } as unknown as TraceHeader;
  let violations = 0;
  let compared = 0;
  for (let s = 0; s < seeds; s++) {
    const rng = rootRng(`snapshot-${s}`);
    // A random path, cut at a random point: the copy is made there.
    const a = new Driver(model.run, { ...opts, trace: new MemorySink(), header });
    const cutAt = rng.int(0, length);
    const path: number[] = [];
    for (let k = 0; k < cutAt && a.choices().length > 0; k++) {
      const i = rng.int(0, a.choices().length);
      path.push(i);
      a.take(i);
    }
    const copySink = new MemorySink();
    const copy = a.clone(copySink);
    // An untraced copy grafted onto another run of the same scenario, which went its own random way.
    const u = new Driver(model.run, opts);
    for (const i of path) u.take(i);
    const other = new Driver(model.run, opts);
    for (let k = 0; k < length && other.choices().length > 0 && !other.sim.halted; k++) other.take(rng.int(0, other.choices().length));
    const reused = other.sim.halted ? u.clone() : u.clone(undefined, other);
    const replayed = new Driver(model.run, { ...opts, trace: new MemorySink(), header });
    for (const i of path) replayed.take(i);
    const replaySink = (replayed as unknown as { opts: { trace: MemorySink } }).opts.trace;
    expect(model.fingerprint(copy, false)).toBe(model.fingerprint(replayed, false));
    expect(model.fingerprint(reused, false)).toBe(model.fingerprint(replayed, false));
    // Go on from both, with the same choices; also advance the original (the copy must not share its state).
    for (let k = cutAt; k < length && replayed.choices().length > 0; k++) {
      expect(copy.choices().map((c) => c.label)).toEqual(replayed.choices().map((c) => c.label));
      const i = rng.int(0, replayed.choices().length);
      if (a.choices().length > 0) a.take(rng.int(0, a.choices().length));
      copy.take(i);
      replayed.take(i);
      reused.take(i);
      if (u.choices().length > 0) u.take(rng.int(0, u.choices().length));
      expect(model.fingerprint(copy, false)).toBe(model.fingerprint(replayed, false));
      expect(model.fingerprint(reused, false)).toBe(model.fingerprint(replayed, false));
      expect(reused.violation).toEqual(replayed.violation);
      compared++;
    }
    copy.close();
    replayed.close();
    if (replayed.violation) violations++;
    expect(copy.violation).toEqual(replayed.violation);
    expect(copySink.text()).toBe(replaySink.text());
  }
  return { violations, compared };
}

describe('snapshots: a copy continues as the replayed run', () => {
  it('raft (3 servers, a client, crashes): fingerprints, choices and traces equal', () => {
    const r = check('raft', [], 2, 30, 40);
    expect(r.compared).toBeGreaterThan(200);
  });
  it('raft notPersistingVotedFor: a violation that needs checker memory from before the copy is found in the copy', () => {
    // n3 votes for n1 in term 1 before the copy; after it, n3 forgets its vote across a crash and votes
    // for n2 in term 1 too. one-vote-per-term sees the second vote only if it remembers the first
    // (checker memory from before the copy).
    const schedule = ['timer n1 election', 'timer n2 election', 'deliver n1->n3 vote-req', 'deliver n3->n1 vote-resp', 'crash n3', 'restart n3', 'deliver n2->n3 vote-req'];
    const model = exploreTarget('raft', { crashes: 1, bugs: ['notPersistingVotedFor'] }).model as EngineModel;
    const take = (d: Driver, prefix: string): void => {
      const i = d.choices().findIndex((c) => c.label.startsWith(prefix));
      expect(i, prefix).toBeGreaterThanOrEqual(0);
      d.take(i);
    };
    for (let cut = 4; cut < schedule.length; cut++) {
      const d = new Driver(model.run, { budgets: model.opts.budgets, coalesce: true, snapshots: true, shareable: model.opts.shareable ?? [] });
      schedule.slice(0, cut).forEach((l) => take(d, l));
      expect(d.violation).toBeUndefined();
      const copy = d.clone();
      schedule.slice(cut).forEach((l) => take(copy, l));
      expect(copy.violation?.invariant).toBe('one-vote-per-term');
      // The original is untouched by the copy's steps.
      expect(d.violation).toBeUndefined();
      expect(d.schedule).toHaveLength(cut);
    }
  });
  it('2PC (coordinator, 2 participants, a client, a crash)', () => {
    const r = check('twopc', ['inDoubtDecidesAlone'], 1, 60, 40);
    expect(r.compared).toBeGreaterThan(150);
  });
});

describe('exploring from snapshots counts what path replay counts', () => {
  // Budgets: every frontier state kept; a few kept (the rest rebuilt from a kept ancestor or the initial state).
  const same = (protocol: string, bugs: string[], crashes: number, opts: { maxDepth?: number; maxStates?: number }) => {
    const base = explore(exploreTarget(protocol, { crashes, bugs }).model, opts);
    for (const snapshots of [100_000, 7]) {
      const r = explore(exploreTarget(protocol, { crashes, bugs, snapshots }).model, opts);
      expect({ ...r, tableBytes: 0 }).toEqual({ ...base, tableBytes: 0 });
    }
    return base;
  };
  it('raft, crashes 1, depth 3', () => {
    const r = same('raft', [], 1, { maxDepth: 3 });
    expect(r.distinct).toBeGreaterThan(100);
  });
  it('2PC, crashes 1, depth 6', () => {
    const r = same('twopc', [], 1, { maxDepth: 6 });
    expect(r.distinct).toBeGreaterThan(100);
  });
  it('DFS from snapshots: the same distinct states as BFS', () => {
    const bfs = explore(exploreTarget('raft', { crashes: 0 }).model, { maxDepth: 4 });
    const dfs = explore(exploreTarget('raft', { crashes: 0, snapshots: 1 }).model, { maxDepth: 4, strategy: 'dfs' });
    expect(dfs.distinct).toBe(bfs.distinct);
  });
});
