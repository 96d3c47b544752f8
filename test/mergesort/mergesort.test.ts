// Merge sort: the pure parts (k-way merge, slices between splitters) against a plain sort
// (properties), each planted bug caught (scenarios, short fuzz campaigns), and the correct protocol
// passing a short fuzz campaign.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzz, runScenario } from '../../sim/fuzz/fuzz.ts';
import { kWayMerge, rangeOf, slice, splitters } from '../../sim/protocols/mergesort/keys.ts';
import { mergesortFuzzWorkload } from '../../sim/protocols/mergesort/fuzz-workload.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import happy from '../../scenarios/mergesort-happy.ts';
import crash from '../../scenarios/mergesort-worker-crash.ts';

const byNumber = (a: number, b: number): number => a - b;
const chunksArb = fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 20 }), { minLength: 1, maxLength: 6 });

describe('k-way merge and range slices', () => {
  it('merging the range slices of sorted runs, ranges in order, equals sorting everything (duplicates kept)', () => {
    fc.assert(
      fc.property(chunksArb, fc.integer({ min: 1, max: 5 }), (chunks, ranges) => {
        const runs = chunks.map((c) => [...c].sort(byNumber));
        const split = splitters(chunks, ranges);
        const out = Array.from({ length: split.length + 1 }, (_, r) => {
          const { lo, hi } = rangeOf(split, r);
          return kWayMerge(runs.map((run) => slice(run, lo, hi)));
        }).flat();
        expect(out).toEqual(chunks.flat().sort(byNumber));
      }),
    );
  });

  it('the planted bugs lose or duplicate keys exactly when keys repeat across runs or sit on a splitter', () => {
    expect(kWayMerge([[1, 2, 2], [2, 3]], true)).toEqual([1, 2, 2, 3]);
    expect(kWayMerge([[1, 2, 2], [2, 3]])).toEqual([1, 2, 2, 2, 3]);
    expect(slice([1, 2, 3], 1, 3, true)).toEqual([1, 2, 3]);
    expect(slice([1, 2, 3], 1, 3)).toEqual([1, 2]);
  });
});

function base(config: Record<string, unknown> = {}) {
  return parseScenario({ name: 'mergesort-fuzz', description: 'mergesort under generated faults', protocol: 'mergesort', config, duration: '4s' });
}

describe('scenarios, planted bugs and fuzzing', () => {
  it('dropEqualKeys: the output is sorted yet not a permutation, so only counting keys catches it', () => {
    const bug = { ...happy, config: { ...happy.config, bugs: { dropEqualKeys: true } } };
    expect(runScenario(parseScenario({ ...bug, checkers: ['sorted'] })).violations).toEqual([]);
    expect(runScenario(parseScenario(bug)).violations[0]?.invariant).toBe('permutation');
  });

  it('the correct protocol passes a fuzz campaign over drawn workloads', () => {
    const report = fuzz({ scenario: base(), runs: 60, seed: 381, workload: mergesortFuzzWorkload });
    expect(report.failures.map((f) => `${f.violation.invariant}: ${f.violation.message}`)).toEqual([]);
  }, 120_000);

  it.each([
    ['dropEqualKeys', 'permutation', {}],
    ['splitterOffByOne', 'permutation', {}],
    ['mergeReexecutedTwice', 'permutation', { kinds: ['pause'] }],
    ['concatInCommitOrder', 'sorted', {}],
  ] as const)('planted bug %s is found by fuzzing (%s) and replays', (bug, name, faults) => {
    const report = fuzz({ scenario: base({ bugs: { [bug]: true } }), runs: 200, seed: 382, faults });
    const f = report.failures[0];
    expect(f?.violation.invariant).toBe(name);
    expect(runScenario(f!.scenario).violations[0]?.invariant).toBe(name);
  }, 120_000);

  it('noTimeouts: a merge handed to a crashed worker is never re-run, and sort-completes catches the hang', () => {
    const bug = { ...crash, duration: '5s', config: { ...crash.config, bugs: { noTimeouts: true } } };
    expect(runScenario(parseScenario(bug)).violations[0]?.invariant).toBe('sort-completes');
    expect(runScenario(parseScenario(crash)).violations).toEqual([]);
  });
});
