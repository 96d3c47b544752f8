// What ended a --time campaign (session 13): a slow shrink cut short by --time, written after the deadline, reached
// --max-failures 1; the summary then said both "cut short by --time" and "the time budget was not used up".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { campaignStoppedBy } from '../../sim/cli/commands/fuzz.ts';
import { inProcess } from '../cli-harness.ts';

describe('campaignStoppedBy', () => {
  const cases: { name: string; interrupted: boolean; maxReachedAt: number | undefined; deadline: number | undefined; timeUp: boolean; want: ReturnType<typeof campaignStoppedBy> }[] = [
    { name: 'a Ctrl-C wins', interrupted: true, maxReachedAt: 10, deadline: 100, timeUp: true, want: 'interrupt' },
    { name: '--max-failures before the deadline', interrupted: false, maxReachedAt: 50, deadline: 100, timeUp: true, want: 'max-failures' },
    { name: '--max-failures only after the deadline (a shrink past it)', interrupted: false, maxReachedAt: 150, deadline: 100, timeUp: true, want: 'time' },
    { name: '--max-failures exactly at the deadline', interrupted: false, maxReachedAt: 100, deadline: 100, timeUp: true, want: 'time' },
    { name: '--max-failures, no time budget', interrupted: false, maxReachedAt: 150, deadline: undefined, timeUp: false, want: 'max-failures' },
    { name: 'the time ran out, no limit reached', interrupted: false, maxReachedAt: undefined, deadline: 100, timeUp: true, want: 'time' },
    { name: 'the plan ran to its end', interrupted: false, maxReachedAt: undefined, deadline: undefined, timeUp: false, want: null },
  ];
  it.each(cases)('$name: $want', ({ want, ...s }) => {
    expect(campaignStoppedBy(s)).toBe(want);
  });
});

describe('faultline fuzz --time --max-failures 1: the summary does not contradict itself', () => {
  const out = mkdtempSync(join(tmpdir(), 'faultline-fuzz-stop-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  // Short budgets around lock skipFsync's first shrink (found at run 1, its shrink about 0.1-0.3 s): some end with the shrink
  // cut by --time, some with it done in time. Whichever happened, the summary and stopped_by must say the same thing.
  it.each(['100ms', '150ms', '1s'])('--time %s', async (time) => {
    const args = ['fuzz', 'lock', '--bug', 'skipFsync', '--time', time, '--workers', '1', '--max-failures', '1', '--seed', '1', '--shrink-budget', '100000', '--out', out];
    const r = await inProcess(args);
    expect(r.code, r.stderr).toBe(1);
    const cutByTime = /cut short by --time/.test(r.stdout);
    const notUsedUp = /the time budget was not used up/.test(r.stdout);
    expect(cutByTime && notUsedUp, r.stdout).toBe(false);
    // A shrink cut by --time means the time ran out: the stopped line says so, or there is none.
    if (cutByTime) expect(r.stdout).not.toMatch(/^stopped {5}--max-failures/m);
  });
});
