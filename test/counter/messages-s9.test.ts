// Durations in counter's violation messages are human text (formatDuration, sim/engine/time.ts), not
// raw µs: convergence names the calm it waited as the scenario would write it ("500ms").

import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../sim/engine/time.ts';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import { counterConfig } from '../../sim/protocols/counter/protocol.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';
import deltaNoDedup from '../../scenarios/counter-delta-no-dedup.ts';

describe('counter violation messages show durations as text', () => {
  it.each([
    ['default settle', {}],
    ['settle 1.25s', { settle: '1.25s' }],
  ] as const)('convergence (%s): "replicas disagree after <settle> of calm", no raw µs', (_name, extra) => {
    const s = parseScenario({ ...deltaNoDedup, duration: '4s', config: { ...deltaNoDedup.config, ...extra } });
    const settle = counterConfig.parse(s.config).settle;
    const v = runScenario(s).violations[0];
    expect(v?.invariant).toBe('convergence');
    expect(v?.message).toMatch(new RegExp(`^replicas disagree after ${formatDuration(settle).replace('.', '\\.')} of calm: `));
    expect(v?.message).not.toMatch(/µs|\d{4,}us/);
  });
});
