// Figure 8's lost committed entry (leader-completeness) from an empty 3-server cluster, at terms <= 4 and four
// elections: testdata/explore/raft-fig8-leader-completeness.json is a schedule built with the stepping engine.
// It replays to the violation with the planted bug, and the same schedule on correct raft breaks nothing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';

const doc = JSON.parse(readFileSync(new URL('../../testdata/explore/raft-fig8-leader-completeness.json', import.meta.url), 'utf8')) as { config: { bugs: Record<string, boolean> }; schedule: string[] };

describe('Figure 8: the lost committed entry from an empty cluster', () => {
  it('replays to leader-completeness with commitPreviousTermByCounting: four elections, terms <= 4, no crash', () => {
    const r = runPrepared(prepareRun(parseScenario(doc)));
    expect(r.violations.map((v) => v.invariant)).toEqual(['leader-completeness']);
    expect(doc.schedule.filter((l) => l.endsWith(' election'))).toHaveLength(4);
    expect(doc.schedule.some((l) => l.startsWith('crash '))).toBe(false);
  });

  it('correct raft: the same schedule commits nothing it later loses', () => {
    const correct = { ...doc, config: { ...doc.config, bugs: {} }, expect: undefined };
    // Every label is still a choice (the same messages are sent); n1 does not commit entry 1 of term 1, so nothing is lost.
    const violations = runPrepared(prepareRun(parseScenario(correct))).violations.map((v) => v.invariant);
    expect(violations).toEqual([]);
  });
});
