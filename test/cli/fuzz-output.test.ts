// Fuzz output defects found before: a triggered fault in a shrunk schedule printed as a raw
// object, "1 faults", and a shard with no batches that passed silently.
import { describe, expect, it } from 'vitest';
import { describeFault } from '../../sim/cli/commands/fuzz.ts';
import { inProcess } from '../cli-harness.ts';

describe('fuzz output', () => {
  it.each([
    [{ at: 300_000, kind: 'crash', node: 's1' }, 'crash s1 @300ms'],
    [{ at: 1_001, kind: 'restart', node: 's1' }, 'restart s1 @1.001ms'],
    [{ at: 0, kind: 'crash', node: '@leader', on: { event: 'leader-elected', nth: 2 }, delay: 5_000 }, 'crash @leader on leader-elected #2 +5ms'],
    [{ at: 100_000, kind: 'partition', groups: [['s1'], ['s2', 's3']], on: { event: 'commit', node: 's2' } }, 'partition {s1} | {s2,s3} on commit of s2 armed @100ms'],
    [{ at: 0, id: 'x', kind: 'heal', after: 'p', delay: 2_000_000 }, 'x: heal after p +2s'],
  ])('%j', (fault, text) => {
    expect(describeFault(fault)).toBe(text);
    expect(describeFault(fault)).not.toMatch(/\[object|"event"/);
  });

  it('a shard with no batches is an error naming it, not a silent pass', async () => {
    const r = await inProcess(['fuzz', 'pingpong', '--runs', '10', '--shard', '3/3', '--seed', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faultline: --shard: shard 3\/3 has no batches: 10 runs make 1 batch of \d+; [^\n]+\n$/);
  });
});
