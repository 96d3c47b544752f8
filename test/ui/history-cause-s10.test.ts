// For a history (linearizability) violation the event the checker records is
// the end-of-run check; its cause is the operations of the failing core.
// `faultline view` prints a URL at that cause: an operation's return named in
// the violation's own message (its failing core), not the end-of-run event.

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/cli/commands/view.ts';
import { formatDuration } from '../../sim/engine/time.ts';
import { MemorySink } from '../../sim/engine/trace.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { isHistoryViolation } from '../../sim/trace/history.ts';
import retry from '../../scenarios/counter-raft-retry-new-request.ts';

const BIN = join(REPO_ROOT, 'bin', 'faultline.js');

describe('the cause of a linearizability violation', () => {
  it('faultline view points at an operation of the failing core, not the end-of-run check', async () => {
    const sink = new MemorySink();
    runPrepared(prepareRun(parseScenario(retry)), { trace: sink });
    const text = sink.text();
    const trace = parseTrace(text);
    const v = trace.events.find((e) => e.type === 'violation');
    expect(v?.type === 'violation' && isHistoryViolation(v.invariant)).toBe(true);
    if (v?.type !== 'violation') return;
    const dir = mkdtempSync(join(tmpdir(), 'faultline-cause-'));
    const file = join(dir, 'lin.jsonl');
    writeFileSync(file, text);
    const child = spawn(process.execPath, [BIN, 'view', file, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let cause: number;
    try {
      cause = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /first violation \(linearizable\), at its cause \(the operation that cannot be linearized\): \S+#e=(\d+)\n/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(cause).not.toBe(v.cause);
    const ev = trace.events[cause];
    expect(ev?.type).toBe('return');
    if (ev?.type !== 'return') return;
    // The violation's message names the operations of the core and the one that cannot be placed, as
    // "c3: add(-5) -> ok   (called at t=…, returned at t=…)": the cause is one of them.
    const named = v.message.split('\n').filter((l) => l.includes(`${ev.process}: `) && l.includes(`returned at t=${formatDuration(ev.t)})`));
    expect(named.length).toBeGreaterThan(0);
  });
});
