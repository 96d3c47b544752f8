// `node --import tsx sim/cli/main.ts <command>` runs the command, as bin/faultline.js does: the module
// used to only export main(), so that line exited 0 having printed nothing (found by an outside
// evaluator who took the silence for a campaign with no violation).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function direct(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'sim/cli/main.ts', ...args], { cwd: root, encoding: 'utf8' });
}

describe('sim/cli/main.ts started directly', () => {
  it('runs the command and prints what bin/faultline.js prints', () => {
    const r = direct(['list']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/raft/);
  });

  it('gives bad input the usual one line and exit 2', () => {
    const r = direct(['run', 'no-such-scenario-here']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^faultline: /);
  });

});
