// The pre-issue-11 base workload of raft (`fuzzWorkloadBase`): the knobs `faultline fuzz` drew when
// issue 11 was filed (sim/protocols/raft/fuzz-workload.ts at commit c914fde), before the window-opening
// knobs of its item 3. The `random` strategy draws it: the honest baseline guided search is measured
// against (sim/fuzz/README.md, "Strategies"). Kept as it was; do not add knobs here.
//
// Raft's default fuzz workload (`faultline fuzz raft`): cluster and client
// counts, the replicated service (key-value store or lock), the kv operation
// mix and key count, election timeouts and heartbeat, PreVote, check-quorum,
// ReadIndex reads and snapshotting. No planted bug is switched on. Sizes stay
// near the defaults (at most 5 servers and 3 clients), so a run costs about
// what a default-config run does.

import fc from 'fast-check';

export const raftFuzzWorkloadBase: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    servers: fc.constantFrom(3, 5),
    clients: fc.integer({ min: 2, max: 3 }),
    service: fc.constantFrom('kv', 'kv', 'lock'),
    electionMinMs: fc.integer({ min: 100, max: 200 }),
    preVote: fc.boolean(),
    checkQuorum: fc.boolean(),
    reads: fc.constantFrom('log', 'readindex'),
    snapshotEvery: fc.constantFrom(0, 10, 25),
    keys: fc.integer({ min: 1, max: 10 }),
    mix: fc.record({ get: fc.integer({ min: 0, max: 4 }), put: fc.integer({ min: 1, max: 4 }), append: fc.integer({ min: 0, max: 2 }), cas: fc.integer({ min: 0, max: 2 }) }),
  })
  .map(({ electionMinMs, keys, mix, ...w }) => ({
    ...w,
    electionTimeout: { min: electionMinMs * 1000, max: 2 * electionMinMs * 1000 },
    heartbeat: Math.floor(electionMinMs / 3) * 1000,
    client: { keys, mix },
  }));

export default raftFuzzWorkloadBase;
