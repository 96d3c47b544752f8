// Durations in mergesort's violation messages are human text (formatDuration, sim/engine/time.ts),
// not raw µs: sort-completes names how long after the faults the sort is still not done, and its bound.

import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../sim/engine/time.ts';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import { mergesortConfig, sortBound } from '../../sim/protocols/mergesort/protocol.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import crash from '../../scenarios/mergesort-worker-crash.ts';

describe('mergesort violation messages show durations as text', () => {
  it('sort-completes (noTimeouts after a worker crash): "not done <t> after the faults stopped (bound <bound>)", no raw µs', () => {
    const s = parseScenario({ ...crash, duration: '5s', config: { ...crash.config, bugs: { noTimeouts: true } } });
    const bound = sortBound(mergesortConfig.parse(s.config));
    const v = runScenario(s).violations[0];
    expect(v?.invariant).toBe('sort-completes');
    const m = /^the sort is not done (\S+) after the faults stopped \(bound (\S+)\), /.exec(v?.message ?? '');
    expect(m?.[2]).toBe(formatDuration(bound));
    expect(m?.[1]).toMatch(/^\d+(\.\d+)?(us|ms|s)$/);
    expect(v?.message).not.toMatch(/µs|\d{4,}us/);
  });
});
