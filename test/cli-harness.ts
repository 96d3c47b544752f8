// Running the faultline CLI from tests: as a child process (the real binary,
// exit codes and all) or in this process (fast, and module mocks apply).

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { vi } from 'vitest';
import { main } from '../sim/cli/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const exec = promisify(execFile);
export const ROOT = join(import.meta.dirname, '..');
export const BIN = join(ROOT, 'bin', 'faultline.js');

/** `node bin/faultline.js ...args` in the project root. */
export async function cli(args: string[], { cwd = ROOT }: { cwd?: string } = {}): Promise<CliResult> {
  try {
    // The sources under test, even when a dist/ build is up to date (test/package/pack.test.ts tests the build).
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, FAULTLINE_SOURCES: '1' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** main() in this process, with stdout and stderr captured. */
export async function inProcess(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((stderr += String(c)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}
