// The step rule `log-terms-monotonic` (sim/protocols/raft/rules-term.ts): the terms of a server's
// published log (snapshot term, then entries) never decrease (Figure 2; Figure 13 InstallSnapshot
// rules 6-7; H_LogTermsMonotonic). Hand-made publish sequences fed through the typed hooks as the
// engine calls them (loud on each way a term can go down, quiet on each correct log change), then a
// correct run with InstallSnapshot replayed into the rule. The outside mutant
// testdata/mutants/raft/snapshotKeepsSuffixOnTermMismatch.json plants the Figure 13 bug in log.ts.

import { describe, expect, it } from 'vitest';
import type { Checker } from '../../sim/api/index.ts';
import { callHooks } from '../../sim/engine/hooks.ts';
import type { JsonValue, SimView, TraceEvent } from '../../sim/engine/types.ts';
import { logTermsMonotonic } from '../../sim/protocols/raft/rules-term.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import { runTraced, scenario } from './run.ts';

const VIEW = {} as SimView; // the rule reads events only (typed hooks, Checker.on)

/** A publish of n1's log fields: snapshot (index, term), entries written from logFrom, lastIndex (default: the end of entries). */
interface Pub {
  snap?: [number, number];
  from?: number;
  entries?: number[];
  last?: number;
}

function publish(p: Pub | 'restart'): TraceEvent {
  if (p === 'restart') return { seq: 0, t: 0, type: 'restart', node: 'n1' };
  const [snapshotIndex, snapshotTerm] = p.snap ?? [0, 0];
  const entries = p.entries ?? [];
  const logFrom = p.from ?? snapshotIndex + 1;
  const lastIndex = p.last ?? (entries.length > 0 ? logFrom + entries.length - 1 : snapshotIndex);
  const state: { [k: string]: JsonValue } = { role: 'follower', term: 9, snapshotIndex, snapshotTerm, lastIndex, logFrom, entries };
  return { seq: 0, t: 0, type: 'state', node: 'n1', state };
}

/** Feed each publish as its own step; the failures per step (undefined: passed). */
function run(rule: Checker, pubs: (Pub | 'restart')[]): (string | undefined)[] {
  return pubs.map((p) => {
    callHooks(rule.on ?? {}, publish(p));
    return rule.check(VIEW);
  });
}

/** n1's log of terms 1,1,2,2 (indexes 1-4), as a first publish. */
const LOG_1122: Pub = { entries: [1, 1, 2, 2] };

describe('log-terms-monotonic on hand-made publishes', () => {
  it.each<[string, (Pub | 'restart')[], RegExp]>([
    [
      'InstallSnapshot keeps the suffix after a last included entry of another term (the Figure 13 bug)',
      [LOG_1122, { snap: [3, 3], from: 5, last: 4 }],
      /^n1's log holds an entry of term 2 at index 4 after its snapshot's last included entry \(index 3, term 3\): log terms never decrease.*Figure 13, InstallSnapshot rules 6-7/,
    ],
    ['an entry of an older term appended', [LOG_1122, { from: 5, entries: [1] }], /^n1 published a log entry of term 1 at index 5 after an entry of term 2 at index 4: log terms never decrease/],
    ['a decrease inside one publish', [{ entries: [1, 3, 2] }], /^n1 published a log entry of term 2 at index 3 after an entry of term 3 at index 2/],
    ['a rewrite below the end of an older term than the entry before it', [LOG_1122, { from: 3, entries: [1, 1] }, { from: 4, entries: [0] }], /^n1 published a log entry of term 0 at index 4 after an entry of term 1 at index 3/],
    ['the first entry after a snapshot older than its term (restart from disk)', [{ snap: [5, 4], entries: [3] }], /after its snapshot's last included entry \(index 5, term 4\)/],
  ])('%s: fails at that publish', (_, pubs, message) => {
    const out = run(logTermsMonotonic(), pubs);
    expect(out.slice(0, -1)).toEqual(pubs.slice(0, -1).map(() => undefined));
    expect(out.at(-1)).toMatch(message);
  });

  it.each<[string, (Pub | 'restart')[]]>([
    ['InstallSnapshot whose last entry the log holds with that term keeps the suffix (rule 6)', [LOG_1122, { snap: [3, 2], from: 5, last: 4 }]],
    ['InstallSnapshot of another term discards the log (rule 7)', [LOG_1122, { snap: [3, 3], from: 4, last: 3 }, { snap: [3, 3], from: 4, entries: [3, 4] }]],
    ['a local compaction, then appends', [LOG_1122, { snap: [2, 1], from: 5, last: 4 }, { snap: [2, 1], from: 5, entries: [2, 5] }]],
    ['a truncation then entries of a newer term (Figure 2, AppendEntries rule 3)', [LOG_1122, { from: 4, last: 3 }, { from: 4, entries: [3, 3] }]],
    ['entries written then compacted before the publish (carried below the snapshot)', [LOG_1122, { snap: [6, 3], from: 5, entries: [3, 3] }, { snap: [6, 3], from: 7, entries: [3] }]],
    ['a new life forgets the old log (a restart from a disk with another snapshot)', [LOG_1122, 'restart', { snap: [2, 1], entries: [1, 2] }]],
    ['a publish that changes no log field', [LOG_1122, { from: 5, last: 4 }, { from: 5, last: 4 }]],
  ])('%s: quiet', (_, pubs) => {
    expect(run(logTermsMonotonic(), pubs)).toEqual(pubs.map(() => undefined));
  });

  it('a restart that shows a log with a decrease is judged in the new life', () => {
    expect(run(logTermsMonotonic(), [LOG_1122, 'restart', { snap: [3, 3], entries: [2] }]).at(-1)).toMatch(/term 2 at index 4 after its snapshot's last included entry \(index 3, term 3\)/);
  });
});

describe('log-terms-monotonic on a correct run', () => {
  it('raft-snapshot (n3 brought back by InstallSnapshot): every server publishes its log and the rule stays quiet', async () => {
    const { result, events } = runTraced(await scenario('raft-snapshot'));
    expect(result.violations).toEqual([]);
    const installs = events.filter((e) => e.type === 'send' && (e.msg as { type?: unknown }).type === 'snapshot-req').length;
    expect(installs).toBeGreaterThan(0);
    const rule = logTermsMonotonic();
    let publishes = 0;
    const failures: string[] = [];
    for (const e of events) {
      callHooks(rule.on ?? {}, e);
      if (e.type === 'state') {
        publishes++;
        const f = rule.check(VIEW);
        if (f !== undefined) failures.push(f);
      }
    }
    expect(failures).toEqual([]);
    expect(publishes).toBeGreaterThan(100);
  });
});

describe('log-terms-monotonic at the Figure 13 rule 7 path', () => {
  // n3 holds 60 uncommitted entries of term 2 (preloaded) and is down while n1 leads term 4 and snapshots
  // at index 4 (term 4); back at 300 ms it is sent InstallSnapshot(lastIncludedIndex 4, term 4) while its
  // log reaches index 62 with term 2 at 4. Correct Raft discards the whole log (rule 7). With the mutant
  // snapshotKeepsSuffixOnTermMismatch applied to log.ts it keeps 5..62 (term 2) after the snapshot's term
  // 4 and this rule fails at that publish (seen in session 13: "n3's log holds an entry of term 2 at
  // index 5 after its snapshot's last included entry (index 4, term 4)", t=321.662ms, seed 1).
  const input = {
    name: 'raft-install-over-stale-suffix',
    description: 'InstallSnapshot to a follower whose longer log has another term at lastIncludedIndex',
    protocol: 'raft',
    duration: '1s',
    config: {
      servers: 3,
      clients: 2,
      snapshotEvery: 3,
      electionTimeoutOf: { n1: { min: '100ms', max: '120ms' } },
      preload: {
        n1: { term: 3, votedFor: 'n1', log: [1, 1, 3] },
        n2: { term: 3, votedFor: 'n1', log: [1, 1, 3] },
        n3: { term: 2, votedFor: null, log: [1, 1, ...Array<number>(60).fill(2)] },
      },
    },
    network: { latency: { kind: 'uniform', min: '1ms', max: '10ms' } },
    faults: { timeline: [{ at: '1ms', kind: 'crash', node: 'n3' }, { at: '300ms', kind: 'restart', node: 'n3' }, { at: '500ms', kind: 'quiesce' }] },
  };

  it('correct Raft: n3 installs a snapshot below its last index at another term, discards its log, and no rule fires', () => {
    const { result, events } = runTraced(parseScenario(input), 1);
    expect(result.violations).toEqual([]);
    type Log = { snapshotIndex: number; snapshotTerm: number; lastIndex: number };
    const n3 = events.flatMap((e) => (e.type === 'state' && e.node === 'n3' ? [e.state as unknown as Log] : []));
    const install = n3.findIndex((s) => s.snapshotIndex > 0);
    expect(install).toBeGreaterThan(0);
    const [before, after] = [n3[install - 1], n3[install]];
    expect(before?.lastIndex).toBeGreaterThan(after?.snapshotIndex ?? Infinity); // the log reached past lastIncludedIndex
    expect(after?.snapshotTerm).not.toBe(2); // at another term than its entry there
    expect(after?.lastIndex).toBe(after?.snapshotIndex); // rule 7: the whole log discarded
  });
});
