// The pre-issue-11 base workload of ring (`fuzzWorkloadBase`): the knobs `faultline fuzz` drew when
// issue 11 was filed (sim/protocols/ring/fuzz-workload.ts at commit c914fde), before the window-opening
// knobs of its item 3. The `random` strategy draws it: the honest baseline guided search is measured
// against (sim/fuzz/README.md, "Strategies"). Kept as it was; do not add knobs here.
//
// The ring's default fuzz workload (`faultline fuzz ring`): ring size and
// spares, clients, replication factor N and write quorum W, placement mode,
// key count and read ratio, and a plan of membership changes (joins of spares,
// leaves of members) that the schema accepts: a join names a spare not yet in
// the ring, a leave a member, the ring never drops below N members, times in
// order. No planted bug is switched on.

import fc from 'fast-check';

type Change = { at: number; join: string } | { at: number; leave: string };

/** Turn drawn change intents into a plan the ring schema accepts (intents that cannot apply are dropped). */
function plan(servers: number, spares: number, replicas: number, intents: { join: boolean; pick: number; gapMs: number }[]): Change[] {
  const all = Array.from({ length: servers + spares }, (_, i) => `n${i + 1}`);
  const members = all.slice(0, servers);
  const out: Change[] = [];
  let at = 0;
  for (const it of intents) {
    at += it.gapMs * 1000;
    if (it.join) {
      const free = all.filter((id) => !members.includes(id));
      const id = free[it.pick % Math.max(1, free.length)];
      if (id === undefined) continue;
      members.push(id);
      out.push({ at, join: id });
    } else {
      if (members.length <= Math.max(1, replicas)) continue;
      const [id] = members.splice(it.pick % members.length, 1);
      if (id === undefined) continue;
      out.push({ at, leave: id });
    }
  }
  return out;
}

export const ringFuzzWorkloadBase: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    servers: fc.integer({ min: 3, max: 6 }),
    spares: fc.integer({ min: 0, max: 2 }),
    clients: fc.integer({ min: 1, max: 4 }),
    replicas: fc.integer({ min: 1, max: 3 }),
    writeQuorum: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    mode: fc.constantFrom('native', 'ketama'),
    keys: fc.integer({ min: 5, max: 120 }),
    readRatio: fc.constantFrom(0.2, 0.5, 0.8),
    intents: fc.array(fc.record({ join: fc.boolean(), pick: fc.nat({ max: 7 }), gapMs: fc.integer({ min: 50, max: 400 }) }), { maxLength: 3 }),
  })
  .map(({ intents, writeQuorum, ...w }) => ({
    ...w,
    ...(writeQuorum !== undefined ? { writeQuorum: Math.min(writeQuorum, w.replicas) } : {}),
    changes: plan(w.servers, w.spares, w.replicas, intents),
  }));

export default ringFuzzWorkloadBase;
