// `faultline bench search --clock cpu|wall`: the clock the budget and the figures are counted in.
import { describe, expect, it } from 'vitest';
import { inProcess } from '../cli-harness.ts';

describe('bench search --clock', () => {
  it('an unknown clock is one line, exit 2, nothing on stdout', async () => {
    const r = await inProcess(['bench', 'search', '--clock', 'sundial', '--bug', 'lock.skipFsync', '--json']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'faultline: --clock: expected wall or cpu (got "sundial")\n' });
  });

  it.each(['cpu', 'wall'])('--clock %s: the report names its clock, and a bug found on the first runs takes less than the budget', async (clock) => {
    const r = await inProcess(['bench', 'search', '--clock', clock, '--bug', 'lock.skipFsync', '--budget', '30s', '--seeds', '1', '--strategies', 'guided', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { clock: string; budget_s: number; bugs: { guided_found: string; guided_median_s: number; invariant: string }[] };
    expect(out.clock).toBe(clock);
    expect(out.bugs).toHaveLength(1);
    expect(out.bugs[0]?.guided_found).toBe('1/1');
    expect(out.bugs[0]?.guided_median_s).toBeLessThan(out.budget_s);
  });
});
