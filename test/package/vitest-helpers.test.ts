// faultline/vitest proven both ways on the example's user protocol (examples/broadcast, loaded
// by module path as a user's scenario names it): with its planted bug switched on, fuzzing
// fails with the violation, the shrunk scenario and a replay command that does replay it;
// the correct protocol passes. expectScenario fails when a scenario's expectation breaks.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectScenario, fuzzScenario, FuzzTestFailure } from '../../sim/vitest/index.ts';
import { inProcess, ROOT } from '../cli-harness.ts';
import { describeFault } from '../../sim/cli/fault-text.ts';

const out = mkdtempSync(join(tmpdir(), 'faultline-vitest-helpers-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const base = join(ROOT, 'examples/broadcast/scenarios/broadcast-crash-restart.ts');

describe('fuzzTest / fuzzScenario', () => {
  it('a planted bug fails with the violation, the shrunk scenario and a replay command that replays it', async () => {
    const err = await fuzzScenario(base, { runs: 100, bug: 'noRetry', outDir: out }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FuzzTestFailure);
    const f = err as FuzzTestFailure;
    expect(f.failure.violation.invariant).toBe('eventual-delivery');
    expect(f.message).toMatch(/^eventual-delivery violated at \d+(\.\d+)?(us|ms|s): value \d+/);
    // The shrunk faults as the fuzz summary prints them (sim/cli/fault-text.ts); the scenario file has them as JSON.
    expect(f.message).toContain((f.failure.scenario.faults.timeline as unknown as Record<string, unknown>[]).map(describeFault).join(', '));
    const replay = /^replay: npx faultline run (\S+)$/m.exec(f.message);
    expect(replay, f.message).not.toBeNull();
    const file = replay![1]!;
    // The written scenario is the shrunk one, expecting the violation; running it reproduces it.
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ expect: { violation: 'eventual-delivery' }, config: { bugs: { noRetry: true } } });
    const run = await inProcess(['run', file, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ held: true, violations: [expect.objectContaining({ invariant: 'eventual-delivery' })] });
  });

  it('the correct protocol passes the same budget', async () => {
    const report = await fuzzScenario(base, { runs: 100, outDir: out });
    expect(report.runs).toBe(100);
    expect(report.failures).toEqual([]);
  });

  it('an unknown planted bug is named with the ones the protocol has', async () => {
    await expect(fuzzScenario(base, { runs: 1, bug: 'nope' })).rejects.toThrow('unknown planted bug "nope" of ');
    await expect(fuzzScenario(base, { runs: 1, bug: 'nope' })).rejects.toThrow('expected one of: noRetry');
  });
});

describe('expectScenario', () => {
  it('passes when the expectation holds and throws its explanation when not', async () => {
    const r = await expectScenario(join(ROOT, 'examples/broadcast/scenarios/broadcast-no-retry.ts'));
    expect(r.violations[0]?.invariant).toBe('eventual-delivery');
    // The same scenario expecting no violation: the explanation names what broke.
    await expect(expectScenario({ ...(await import('../../examples/broadcast/scenarios/broadcast-no-retry.ts')).default, protocol: join(ROOT, 'examples/broadcast/protocol.ts'), expect: 'no-violation' })).rejects.toThrow(
      /expected no violation, but eventual-delivery was violated/,
    );
  });
});
