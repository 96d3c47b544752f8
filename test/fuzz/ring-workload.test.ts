// The ring's default fuzz workload (sim/protocols/ring/fuzz-workload.ts) swarms over the sizing knobs a quorum bug
// needs: replication factor N 1-3 and write quorum W 1..N (reads then union R = N - W + 1 copies). An outside bug
// that needs N = W = 3 (a replica's ack counted twice: testdata/mutants/ring/replicaAckCountedTwice.json) is only
// reachable when the workload draws that corner often enough; every draw is a config the ring schema accepts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ringConfig } from '../../sim/protocols/ring/protocol.ts';
import { ringFuzzWorkload } from '../../sim/protocols/ring/fuzz-workload.ts';

describe('ring fuzz workload', () => {
  it('draws every (N, W) with 1 <= W <= N <= 3, N = W = 3 in at least 1 run in 20, and only configs the schema accepts', () => {
    const draws = fc.sample(ringFuzzWorkload, { seed: 1, numRuns: 2000 });
    const seen = new Map<string, number>();
    for (const d of draws) {
      const parsed = ringConfig.safeParse(d);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      if (!parsed.success) continue;
      const n = parsed.data.replicas;
      const w = parsed.data.writeQuorum ?? n;
      const key = `N${n} W${w}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const want = [1, 2, 3].flatMap((n) => Array.from({ length: n }, (_, i) => `N${n} W${i + 1}`));
    expect([...seen.keys()].sort()).toEqual(want.sort());
    expect((seen.get('N3 W3') ?? 0) / draws.length).toBeGreaterThan(0.05);
  });
});
