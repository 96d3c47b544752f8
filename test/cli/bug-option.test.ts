// The --bug option (sim/cli/bug-option.ts), fixed in kind after the newcomer review of session 6:
// `--bug` names no bug ('' or ','), and `explore --bug X raft` (a variadic --bug swallowed the target).
import { describe, expect, it } from 'vitest';
import { inProcess } from '../cli-harness.ts';

describe('--bug, shared by fuzz and explore', () => {
  it.each([
    ['fuzz', "''", ['fuzz', 'raft', '--bug', '', '--runs', '1']],
    ['fuzz', "','", ['fuzz', 'raft', '--bug', ',', '--runs', '1']],
    ['explore', "''", ['explore', 'raft', '--bug', '', '--depth', '1']],
  ])('%s --bug %s is bad input (a campaign "with a bug" must not run without one)', async (_cmd, _v, args) => {
    const r = await inProcess(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^faultline: --bug: expected a planted bug name \(or several separated by commas\), got "[,]?"$/);
    expect(r.stdout).toBe('');
  });

  it('explore --bug NAME before the target leaves the target to the command (not swallowed by a variadic option)', async () => {
    const r = await inProcess(['explore', '--bug', 'voteWithoutUpToDateCheck', 'raft', '--depth', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ violation: null });
  });
});
