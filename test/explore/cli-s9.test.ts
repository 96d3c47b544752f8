// faultline explore (newcomer review, session 9): the report is printed before the counterexample's
// files are written (a failed write loses neither), its times are the replay's (the counterexample
// scenario carries the explored network), and --json names the "generated" count as the text does.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../sim/scenario/errors.ts';
import { inProcess } from '../cli-harness.ts';

const failWrites = vi.hoisted(() => ({ on: false }));
vi.mock('../../sim/cli/file-sink.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../sim/cli/file-sink.ts')>();
  return {
    ...real,
    writeOutputFiles: (files: Parameters<typeof real.writeOutputFiles>[0]) => {
      if (failWrites.on) throw new InputError('cannot write the trace: no space left on device (ENOSPC)', files[0]?.path);
      real.writeOutputFiles(files);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'faultline-explore9-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LOCK = ['explore', 'lock', '--bug', 'grantBeforeExpiry', '--drift', '1', '--depth', '8', '--no-progress'];

/** "at server time 251ms while ... until 501ms" from a single-holder message. */
const times = (text: string): string[] => /at server time (\S+) while .* until (\S+)/.exec(text)?.slice(1) ?? [];

describe('faultline explore (session 9 review)', () => {
  it('a write that fails after the search: the report (violation and steps) is printed first, then one error line; nothing written', async () => {
    const out = join(dir, 'fail');
    failWrites.on = true;
    try {
      const r = await inProcess([...LOCK, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/^VIOLATION {3}single-holder: /m);
      expect(r.stdout).toMatch(/^ {4}6\. deliver c2->s1 acquire/m);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/ENOSPC.*the counterexample reported above was not saved$/m);
    } finally {
      failWrites.on = false;
    }
    expect(readdirSync(dir)).not.toContain('fail');
  });

  it("the counterexample's replay reports the same times as the exploration", async () => {
    const out = join(dir, 'ok');
    const r = await inProcess([...LOCK, '--out', out]);
    expect(r.code).toBe(1);
    const explored = times(r.stdout);
    expect(explored).toHaveLength(2);
    const replay = await inProcess(['run', join(out, 'explore-lock-counterexample.json')]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(times(replay.stdout)).toEqual(explored);
  });

  it('--json: "generated" is the count the text calls generated ("states" kept as its old name)', async () => {
    const text = await inProcess(['explore', 'twopc-spec', '--rms', '2', '--no-progress']);
    const generated = Number(/^states +\d+ distinct, (\d+) generated/m.exec(text.stdout)?.[1]);
    const j = JSON.parse((await inProcess(['explore', 'twopc-spec', '--rms', '2', '--json'])).stdout) as Record<string, unknown>;
    expect(generated).toBeGreaterThan(0);
    expect([j.generated, j.states]).toEqual([generated, generated]);
  });
});
