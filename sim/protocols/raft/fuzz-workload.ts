// Raft's default fuzz workload (`faultline fuzz raft`): cluster and client
// counts, the replicated service (key-value store or lock), the kv operation
// mix and key count, election timeouts and heartbeat, PreVote, check-quorum,
// ReadIndex reads and snapshotting; and the timing and sizing knobs that open
// windows (swarm over knobs): replication batch size 1-3 (or the default 64),
// the heartbeat as a share of the election timeout (1/2 to 1/10), the spread
// of the election timeout (max = 1.3x to 2x min: narrow spreads split votes; never
// narrower, so the range stays 30 ms or more, three one-way latencies of the default
// network: a 1.1x range over 1-10 ms latencies splits votes past the liveness bound on
// correct Raft, scenarios/raft-narrow-spread-split-votes.ts),
// and snapshot thresholds down to a few entries; two runs in five are a
// read-heavy mix on one or two keys (always the kv service); and one run in two starts from a drawn
// history of 2-4 earlier terms preloaded on the servers' disks (Figure 7:
// conflicting uncommitted suffixes, older-term entries, a server with a
// higher term and a stale log), so windows that take several leader changes
// from an empty cluster are one or two faults away. No planted bug is switched
// on. Sizes stay near the defaults (at most 5 servers and 3 clients), so a run
// costs about what a default-config run does.

import fc from 'fast-check';

export const raftFuzzWorkload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    servers: fc.constantFrom(3, 5),
    clients: fc.integer({ min: 2, max: 3 }),
    service: fc.constantFrom('kv', 'kv', 'lock'),
    electionMinMs: fc.integer({ min: 100, max: 200 }),
    /**
     * max = min * spread / 10. At least 13: Raft's liveness needs the randomized timeouts to spread candidates
     * further apart than a broadcast takes (section 9.3); at 11 (a 10 ms range at min 100 ms) correct Raft split
     * its votes for 10 election timeouts in 8 of 300 seeds of a 3|2 partition, and a guided campaign found it
     * (quorum-elects-leader; scenarios/raft-narrow-spread-split-votes.ts). At 12 and 13: 0 of 300.
     */
    spread: fc.constantFrom(20, 15, 13),
    /** heartbeat = min / ratio (always shorter than every election timeout) */
    heartbeatRatio: fc.constantFrom(3, 2, 5, 10),
    /** 1 twice as often as 2 or 3: one entry per AppendEntries is what Figure 8 style windows need */
    maxBatch: fc.constantFrom(64, 1, 1, 2, 3),
    preVote: fc.boolean(),
    checkQuorum: fc.boolean(),
    reads: fc.constantFrom('log', 'readindex'),
    snapshotEvery: fc.constantFrom(0, 10, 25, 3, 5),
    keys: fc.integer({ min: 1, max: 10 }),
    mix: fc.record({ get: fc.integer({ min: 0, max: 4 }), put: fc.integer({ min: 1, max: 4 }), append: fc.integer({ min: 0, max: 2 }), cas: fc.integer({ min: 0, max: 2 }) }),
    /**
     * Two runs in five are read-heavy on one or two keys (8-12 reads per write): a stale read needs a
     * write at the new leader and then a read of that same key at a deposed one, which a mix of ten
     * keys and as many writes as reads almost never lines up (the linearizability window of section 8).
     */
    readHeavy: fc.constantFrom(false, false, false, true, true),
    hotKeys: fc.integer({ min: 1, max: 2 }),
    readWeight: fc.integer({ min: 8, max: 12 }),
    /** Earlier terms preloaded (0: an empty cluster, as before), and the integer that draws them (drawHistory). */
    history: fc.constantFrom(0, 0, 0, 2, 3, 4),
    historySeed: fc.integer({ min: 0, max: 0x7fffffff }),
    /** Whether a drawn history ends with a failed campaign by its least up-to-date server (drawHistory's `staleCampaign`). */
    staleCampaign: fc.boolean(),
  })
  .map(({ electionMinMs, spread, heartbeatRatio, readHeavy, hotKeys, readWeight, ...rest }) => {
    const { keys: k, mix: m, ...w } = rest;
    const keys = readHeavy ? hotKeys : k;
    const mix = readHeavy ? { get: readWeight, put: 1, append: 0, cas: 0 } : m;
    // A read-heavy mix is a kv mix: the lock service has no reads to make stale.
    return { electionMinMs, spread, heartbeatRatio, keys, mix, ...w, ...(readHeavy ? { service: 'kv' as const } : {}) };
  })
  .map(({ electionMinMs, spread, heartbeatRatio, keys, mix, history, historySeed, staleCampaign, ...w }) => ({
    ...w,
    ...(history > 0 ? { preload: drawHistory(w.servers, history, historySeed, staleCampaign) } : {}),
    electionTimeout: { min: electionMinMs * 1000, max: Math.floor((electionMinMs * spread) / 10) * 1000 },
    heartbeat: Math.floor(electionMinMs / heartbeatRatio) * 1000,
    client: { keys, mix },
  }));

/** A server's preloaded disk (the `preload` config entry): current term, vote in it, log as entry terms. */
export interface PreloadedServer {
  term: number;
  votedFor: string | null;
  log: number[];
}

/** Deterministic 32-bit generator (mulberry32) for drawing a history from one drawn integer. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Section 5.4.1: a log ending in (term a, index i) is at least as up-to-date as one ending in (b, j). */
function atLeastAsUpToDate(a: readonly number[], b: readonly number[]): boolean {
  const ta = a.at(-1) ?? 0;
  const tb = b.at(-1) ?? 0;
  return ta > tb || (ta === tb && a.length >= b.length);
}

/**
 * A history of earlier terms, as Figure 7 of the Raft paper draws them: the disks a cluster of `servers`
 * (n1..nN) would have after `epochs` leader changes, to preload before the run starts. Each epoch is a new
 * term: either an election won by a server whose log is at least as up-to-date as a majority's (that
 * majority adopts the term and votes for it), which appends 1-3 entries and replicates a prefix of its log
 * to some followers (a follower's log becomes the leader's up to the replicated index, its conflicting
 * suffix dropped, section 5.3), or a campaign that failed (the candidate and a minority adopt the term, no
 * entries). Every such state is reachable by the protocol (only the fault schedule that led there is
 * skipped), so a correct Raft stays safe from it; nothing counts as committed when the run starts. What it
 * opens: conflicting uncommitted suffixes, entries of older terms a new leader must carry (Figure 8),
 * servers with a higher term and a stale log; chains that take three or more leader changes to reach from
 * an empty cluster. `seed` drives every choice, so the history is plain data of the workload (one integer).
 */
export function drawHistory(servers: number, epochs: number, seed: number, staleCampaign = false): Record<string, PreloadedServer> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const ids = Array.from({ length: servers }, (_, i) => `n${i + 1}`);
  const majority = Math.floor(servers / 2) + 1;
  const logs = ids.map((): number[] => []);
  const terms = ids.map(() => 0);
  const votes = ids.map((): { term: number; for: number } | undefined => undefined);
  let term = 0;
  // Everyone starts with the first term's entries, as a cluster that ran for a while would.
  for (let e = 0; e < epochs; e++) {
    term += rnd() < 0.3 ? 2 : 1; // a skipped term: an election nobody won
    const all = ids.map((_, i) => i);
    if (e > 0 && rnd() < 0.2) {
      // A failed campaign: the candidate and a minority of voters adopt the term.
      const c = pick(all);
      const voters = [c, ...all.filter((v) => v !== c && atLeastAsUpToDate(logs[c] as number[], logs[v] as number[]) && rnd() < 0.5)].slice(0, majority - 1);
      for (const v of voters) {
        terms[v] = term;
        votes[v] = { term, for: c };
      }
      continue;
    }
    const electable = all.filter((c) => all.filter((v) => atLeastAsUpToDate(logs[c] as number[], logs[v] as number[])).length >= majority);
    const leader = pick(electable);
    const lead = logs[leader] as number[];
    const willing = all.filter((v) => v !== leader && atLeastAsUpToDate(lead, logs[v] as number[]));
    // The leader's votes: itself and a random majority of the servers its log is up-to-date enough for.
    const voters = [leader, ...willing.sort(() => rnd() - 0.5).slice(0, majority - 1)];
    for (const v of voters) {
      terms[v] = term;
      votes[v] = { term, for: leader };
    }
    const added = e === 0 ? 1 + Math.floor(rnd() * 2) : 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < added; k++) lead.push(term);
    for (const f of all) {
      if (f === leader || (e > 0 && rnd() < 0.5)) continue;
      const log = logs[f] as number[];
      let common = 0;
      while (common < log.length && common < lead.length && log[common] === lead[common]) common++;
      // Replicated up to index `upTo` (1-based): entries the follower already agrees on stay, a conflict goes.
      const upTo = e === 0 ? lead.length : common + Math.floor(rnd() * (lead.length - common + 1));
      if (upTo > common) logs[f] = common === log.length ? [...lead.slice(0, Math.max(upTo, log.length))] : lead.slice(0, upTo);
      terms[f] = Math.max(terms[f] as number, term);
    }
  }
  if (staleCampaign) {
    // One more term: a campaign by a least up-to-date server that failed. Only servers whose logs are no
    // more up-to-date than its own could vote for it (at most a minority with it), so it ends with the
    // highest term and a stale log: the state a server reaches when it campaigned alone while cut off, or
    // won a PreVote round but lost the election (thesis section 9.6). Whoever is electable must now learn
    // that term from it: with PreVote, only the stale server's answer to a PreVote carries it.
    term += 1;
    const all = ids.map((_, i) => i);
    const upToDateness = (i: number): number => ((logs[i] as number[]).at(-1) ?? 0) * 1e6 + (logs[i] as number[]).length;
    const least = Math.min(...all.map(upToDateness));
    const c = pick(all.filter((i) => upToDateness(i) === least));
    const voters = [c, ...all.filter((v) => v !== c && atLeastAsUpToDate(logs[c] as number[], logs[v] as number[]) && rnd() < 0.5)].slice(0, majority - 1);
    for (const v of voters) {
      terms[v] = term;
      votes[v] = { term, for: c };
    }
  }
  const out: Record<string, PreloadedServer> = {};
  ids.forEach((id, i) => {
    const v = votes[i];
    const t = terms[i] as number;
    out[id] = { term: t, votedFor: v !== undefined && v.term === t ? (ids[v.for] as string) : null, log: logs[i] as number[] };
  });
  return out;
}

export default raftFuzzWorkload;
