// Durations in mapreduce's violation messages are human text (formatDuration, sim/engine/time.ts),
// not raw µs: job-completes names how long after the faults the job is still not done, and its bound.

import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../sim/engine/time.ts';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import { completionBound, mapreduceConfig } from '../../sim/protocols/mapreduce/protocol.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import lostMaps from '../../scenarios/mapreduce-lost-maps.ts';

describe('mapreduce violation messages show durations as text', () => {
  it('job-completes: "not done <t> after the faults stopped (bound <bound>)", no raw µs', () => {
    const s = parseScenario(lostMaps);
    const bound = completionBound(mapreduceConfig.parse(s.config));
    const v = runScenario(s).violations[0];
    expect(v?.invariant).toBe('job-completes');
    const m = /^the job is not done (\S+) after the faults stopped \(bound (\S+)\): /.exec(v?.message ?? '');
    expect(m?.[2]).toBe(formatDuration(bound));
    expect(m?.[1]).toMatch(/^\d+(\.\d+)?(us|ms|s)$/);
    expect(v?.message).not.toMatch(/µs|\d{4,}us/);
  });
});
