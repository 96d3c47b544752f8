// The counter protocol: the PN-counter's merge laws, a replica's rules one step at a time, the
// Maelstrom-style checkers' arithmetic, each planted bug found by a short fuzz campaign, and the
// correct CRDT passing one (fixed seeds, small budgets, no timed assertions).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { step } from '../../sim/api/index.ts';
import { rootRng } from '../../sim/engine/random.ts';
import { fuzz, runScenario } from '../../sim/fuzz/fuzz.ts';
import { addOutcomes, subsetSums } from '../../sim/protocols/counter/checkers.ts';
import { counterFuzzWorkload } from '../../sim/protocols/counter/fuzz-workload.ts';
import { applyLocal, merge, valueOf, type Entries } from '../../sim/protocols/counter/pncounter.ts';
import { CounterReplica, MAX_UNACKED_DELTAS, type ReplicaOptions } from '../../sim/protocols/counter/replica.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import type { ScenarioInput } from '../../sim/scenario/schema.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import deltaNoDedup from '../../scenarios/counter-delta-no-dedup.ts';

const entriesArb: fc.Arbitrary<Entries> = fc.dictionary(fc.constantFrom('n1', 'n2', 'n3'), fc.tuple(fc.nat(100), fc.nat(100)));
const copy = (e: Entries): Entries => JSON.parse(JSON.stringify(e)) as Entries;
function merged(a: Entries, b: Entries, how: 'max' | 'sum' = 'max'): Entries {
  const out = copy(a);
  merge(out, b, 'n0', how);
  return out;
}

describe('PN-counter merge (Shapiro et al. 2011, Specification 7)', () => {
  it('max-merge is idempotent, commutative and associative', () => {
    fc.assert(
      fc.property(entriesArb, entriesArb, entriesArb, (a, b, c) => {
        expect(merged(merged(a, b), b)).toEqual(merged(a, b));
        expect(valueOf(merged(a, b))).toBe(valueOf(merged(b, a)));
        expect(merged(merged(a, b), c)).toEqual(merged(a, merged(b, c)));
      }),
    );
  });

  it('sum-merge (the planted bug) is not idempotent: the same gossip counted twice', () => {
    const a: Entries = { n1: [3, 0] };
    expect(valueOf(merged(merged({}, a, 'sum'), a, 'sum'))).toBe(6);
    expect(valueOf(merged(merged({}, a), a))).toBe(3);
  });

  it('a decrement goes to N; as a G-counter it lowers P, and max-merge with an older copy undoes it', () => {
    const e: Entries = { n1: [5, 0] };
    applyLocal(e, 'n1', -2);
    expect(e.n1).toEqual([5, 2]);
    const g: Entries = { n1: [5, 0] };
    applyLocal(g, 'n1', -2, true);
    expect(g.n1).toEqual([3, 0]);
    // A peer that still holds [5, 0] for n1 keeps it: the decrement is lost everywhere that merges.
    const peer: Entries = { n1: [5, 0] };
    merge(peer, g, 'n2');
    expect(valueOf(peer)).toBe(5);
  });
});

const OPTS: ReplicaOptions = { design: 'pn-counter', gossip: 'delta', interval: 50_000, peers: ['n2'], sumMerge: false, gCounterWithDecrements: false, deltaNoDedup: false, maxUnacked: 4096, maxClients: 4 };
const env = { id: 'n1', nodes: ['n1', 'n2', 'c1'], rng: rootRng(1) };

describe('replica rules (step)', () => {
  it('acknowledges an add only after writing and fsyncing it, and a duplicated request is not applied twice', () => {
    const r = new CounterReplica(OPTS);
    step(r, { kind: 'start' }, env);
    const cmds = step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 7, delta: 4 } }, env);
    expect(cmds.map((c) => c.kind)).toEqual(['put', 'fsync', 'publish', 'send']);
    const again = step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 7, delta: 4 } }, env);
    expect(again).toEqual([{ kind: 'send', to: 'c1', msg: { type: 'add-ok', id: 7 } }]);
    const read = step(r, { kind: 'message', from: 'c1', msg: { type: 'read', id: 8 } }, env);
    expect(read).toEqual([{ kind: 'send', to: 'c1', msg: { type: 'read-ok', id: 8, value: 4 } }]);
  });

  it('delta gossip applies a peer\'s deltas once each, in sequence order; without dedup (planted bug) again on every retransmission', () => {
    for (const [deltaNoDedup, expected] of [[false, 3], [true, 6]] as const) {
      const r = new CounterReplica({ ...OPTS, deltaNoDedup });
      step(r, { kind: 'start' }, env);
      step(r, { kind: 'message', from: 'n2', msg: { type: 'delta', from: 1, deltas: [1, 2] } }, env);
      const cmds = step(r, { kind: 'message', from: 'n2', msg: { type: 'delta', from: 1, deltas: [1, 2] } }, env);
      expect(cmds.at(-1)).toEqual({ kind: 'send', to: 'n2', msg: { type: 'delta-ack', upTo: 2 } });
      const read = step(r, { kind: 'message', from: 'c1', msg: { type: 'read', id: 1 } }, env);
      expect(read[0]).toMatchObject({ msg: { value: expected } });
    }
  });

  it('a delta out of sequence (a gap after a lost message) waits for the retransmission', () => {
    const r = new CounterReplica(OPTS);
    step(r, { kind: 'start' }, env);
    const cmds = step(r, { kind: 'message', from: 'n2', msg: { type: 'delta', from: 3, deltas: [5] } }, env);
    expect(cmds).toEqual([{ kind: 'send', to: 'n2', msg: { type: 'delta-ack', upTo: 0 } }]);
  });
});

describe('counter-value arithmetic', () => {
  it('separates acknowledged adds from unknown ones (info or still pending); failed ones never happened', () => {
    const h = [
      { type: 'invoke', t: 0, node: 'c1', op: 1, process: 'c1', f: 'add', value: 3 },
      { type: 'return', t: 1, node: 'c1', op: 1, process: 'c1', outcome: 'ok' },
      { type: 'invoke', t: 2, node: 'c1', op: 2, process: 'c1', f: 'add', value: -2 },
      { type: 'return', t: 3, node: 'c1', op: 2, process: 'c1', outcome: 'info' },
      { type: 'invoke', t: 4, node: 'c1', op: 3, process: 'c1', f: 'read' },
      { type: 'return', t: 5, node: 'c1', op: 3, process: 'c1', outcome: 'ok', value: 3 },
      { type: 'invoke', t: 6, node: 'c2', op: 4, process: 'c2', f: 'add', value: 5 },
      { type: 'invoke', t: 6, node: 'c3', op: 5, process: 'c3', f: 'add', value: 9 },
      { type: 'return', t: 7, node: 'c3', op: 5, process: 'c3', outcome: 'fail' },
    ] as const;
    expect(addOutcomes(h)).toEqual({ ok: 3, unknown: [-2, 5], okCount: 1 });
    expect([...(subsetSums([-2, 5]) ?? [])].sort((a, b) => a - b)).toEqual([-2, 0, 3, 5]);
    expect(subsetSums(Array.from({ length: 40 }, (_, i) => 2 ** i), 1000)).toBeUndefined();
  });
});

function base(config: Record<string, unknown> = {}) {
  return parseScenario({
    name: 'counter-fuzz',
    description: 'counter under generated faults',
    protocol: 'counter',
    config: { opsUntil: '1.5s', ...config },
    duration: '3s',
  });
}

describe('fuzzing', () => {
  it('the PN-counter (state and delta gossip, drawn workloads) passes every checker', () => {
    const report = fuzz({ scenario: base(), runs: 60, seed: 181, workload: counterFuzzWorkload });
    expect(report.runs).toBe(60);
    expect(report.failures.map((f) => `${f.violation.invariant}: ${f.violation.message}`)).toEqual([]);
  }, 120_000);

  it.each([
    ['sumMerge', {}, ['convergence', 'counter-value']],
    ['gCounterWithDecrements', {}, ['convergence', 'counter-value', 'state-inflation']],
    ['deltaNoDedup', {}, ['convergence', 'counter-value']],
  ] as const)('planted bug %s is found and shrunk to a replayable run', (bug, config, names) => {
    // Seeds searched, not named: the first campaign of these that fails (any general change may move one seed's draws).
    const f = [182, 1, 2, 3].map((seed) => () => fuzz({ scenario: base({ ...config, bugs: { [bug]: true } }), runs: 100, seed }).failures[0]).reduce<ReturnType<typeof fuzz>['failures'][number] | undefined>((got, next) => got ?? next(), undefined);
    expect(names).toContain(f?.violation.invariant);
    expect(runScenario(f!.scenario).violations[0]?.invariant).toBe(f!.violation.invariant);
  }, 120_000);

  it('the naive counter loses acknowledged updates under partitions (counter-value)', () => {
    const report = fuzz({ scenario: base({ design: 'naive', decrements: false }), runs: 100, seed: 183, faults: { kinds: ['partition'] } });
    expect(report.failures[0]?.violation.invariant).toBe('counter-value');
  }, 120_000);

  it('convergence alone catches deltaNoDedup (proof of the convergence checker)', () => {
    const r = runScenario(parseScenario({ ...deltaNoDedup, checkers: ['convergence'] }));
    expect(r.violations[0]?.invariant).toBe('convergence');
    const fixed = runScenario(parseScenario({ ...deltaNoDedup, config: { ...deltaNoDedup.config, bugs: {} }, checkers: ['convergence'] }));
    expect(fixed.violations).toEqual([]);
  });
});

// TigerBeetle's discipline for the replica's tables: own unacknowledged deltas (maxUnacked, refuse
// rather than grow), the request dedup table (one entry per client), applied (one per peer).
describe('replica bounds', () => {
  const sent = (cmds: ReturnType<typeof step>): string[] => cmds.flatMap((c) => (c.kind === 'send' ? [`${c.to} ${c.msg.type}`] : []));

  it('refuses an add when its unacknowledged deltas are at maxUnacked, durably, and a duplicate of the refused add is refused again', () => {
    const r = new CounterReplica({ ...OPTS, maxUnacked: 2 });
    step(r, { kind: 'start' }, env);
    expect(sent(step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 1, delta: 1 } }, env))).toEqual(['c1 add-ok']);
    expect(sent(step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 2, delta: 1 } }, env))).toEqual(['c1 add-ok']);
    const refused = step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 3, delta: 1 } }, env);
    expect(refused.map((c) => c.kind)).toEqual(['log', 'put', 'fsync', 'publish', 'send']);
    expect(sent(refused)).toEqual(['c1 add-fail']);
    // n2 acknowledges both deltas: room again, but the refused add stays refused (its client recorded it as failed).
    step(r, { kind: 'message', from: 'n2', msg: { type: 'delta-ack', upTo: 2 } }, env);
    expect(sent(step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 3, delta: 1 } }, env))).toEqual(['c1 add-fail']);
    expect(sent(step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 4, delta: 1 } }, env))).toEqual(['c1 add-ok']);
  });

  it('a client beyond maxClients in the dedup table is an assertion', () => {
    const r = new CounterReplica({ ...OPTS, maxClients: 1 });
    step(r, { kind: 'start' }, env);
    step(r, { kind: 'message', from: 'c1', msg: { type: 'add', id: 1, delta: 1 } }, env);
    expect(() => step(r, { kind: 'message', from: 'c2', msg: { type: 'add', id: 1, delta: 1 } }, env)).toThrow('counter replica: 2 clients in the dedup table, bound 1');
  });

  it('maxUnacked beyond MAX_UNACKED_DELTAS is bad input naming the field; the largest allowed parses', () => {
    const doc = (maxUnacked: number): ScenarioInput => ({ name: 'x', description: 'd', protocol: 'counter', duration: '1s', config: { gossip: 'delta', maxUnacked } });
    let message = 'accepted';
    try {
      parseScenario(doc(MAX_UNACKED_DELTAS + 1), 'f.json');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      message = e.describe();
    }
    expect(message).toMatch(/^f\.json: config\.maxUnacked: .*65536/);
    expect(parseScenario(doc(MAX_UNACKED_DELTAS), 'f.json').name).toBe('x');
  });

  it('in a run with a long partition, refused adds are failures, and the counter checks still pass', () => {
    const s = parseScenario({
      name: 'counter-backpressure', description: 'n1 cut off for 2 s with a small delta buffer', protocol: 'counter', duration: '5s', seed: 2,
      config: { gossip: 'delta', maxUnacked: 3, think: '5ms', opsUntil: '3s' },
      faults: { timeline: [{ at: '200ms', kind: 'isolate', node: 'n1' }, { at: '2200ms', kind: 'heal' }] },
      expect: 'no-violation',
    });
    const r = runScenario(s, { trace: true });
    expect(r.violations).toEqual([]);
    expect((r.trace ?? '').match(/refused: 3 deltas unacknowledged/g)?.length ?? 0).toBeGreaterThan(0);
    expect(r.stats.operations.fail).toBeGreaterThan(0);
  });
});
