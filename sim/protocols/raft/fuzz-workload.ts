// Raft's default fuzz workload (`faultline fuzz raft`): cluster and client
// counts, the replicated service (key-value store or lock), the kv operation
// mix and key count, election timeouts and heartbeat, PreVote, check-quorum,
// ReadIndex reads and snapshotting; and the timing and sizing knobs that open
// windows (swarm over knobs): replication batch size 1-3 (or the default 64),
// the heartbeat as a share of the election timeout (1/2 to 1/10), the spread
// of the election timeout (max = 1.1x to 2x min: narrow spreads split votes),
// and snapshot thresholds down to a few entries; one run in three is a
// read-heavy mix on one or two keys. No planted bug is switched
// on. Sizes stay near the defaults (at most 5 servers and 3 clients), so a run
// costs about what a default-config run does.

import fc from 'fast-check';

export const raftFuzzWorkload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    servers: fc.constantFrom(3, 5),
    clients: fc.integer({ min: 2, max: 3 }),
    service: fc.constantFrom('kv', 'kv', 'lock'),
    electionMinMs: fc.integer({ min: 100, max: 200 }),
    /** max = min * spread / 10 */
    spread: fc.constantFrom(20, 15, 11),
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
     * One run in three is read-heavy on one or two keys (8-12 reads per write): a stale read needs a
     * write at the new leader and then a read of that same key at a deposed one, which a mix of ten
     * keys and as many writes as reads almost never lines up (the linearizability window of section 8).
     */
    readHeavy: fc.constantFrom(false, false, true),
    hotKeys: fc.integer({ min: 1, max: 2 }),
    readWeight: fc.integer({ min: 8, max: 12 }),
  })
  .map(({ electionMinMs, spread, heartbeatRatio, readHeavy, hotKeys, readWeight, ...rest }) => {
    const { keys: k, mix: m, ...w } = rest;
    const keys = readHeavy ? hotKeys : k;
    const mix = readHeavy ? { get: readWeight, put: 1, append: 0, cas: 0 } : m;
    return { electionMinMs, spread, heartbeatRatio, keys, mix, ...w };
  })
  .map(({ electionMinMs, spread, heartbeatRatio, keys, mix, ...w }) => ({
    ...w,
    electionTimeout: { min: electionMinMs * 1000, max: Math.floor((electionMinMs * spread) / 10) * 1000 },
    heartbeat: Math.floor(electionMinMs / heartbeatRatio) * 1000,
    client: { keys, mix },
  }));

export default raftFuzzWorkload;
