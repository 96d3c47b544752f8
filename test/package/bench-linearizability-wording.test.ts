// bench linearizability's output: the speed-up is computed on check time only, and the line
// says so next to the read+check totals (it was printed beside them unexplained); the header
// names only the families asked for.
import { describe, expect, it } from 'vitest';
import { runLinearizabilityBench, type FamilyFigures } from '../../sim/bench/linearizability.ts';

describe('bench linearizability wording', () => {
  it('the family line gives the check-only times its speed-up is computed on', () => {
    const lines: string[] = [];
    const out = runLinearizabilityBench({ families: 'kv', runs: '1', baselineSteps: '20' }, (l) => lines.push(l));
    expect(lines[0]).toMatch(/families kv;/);
    expect(lines[0]).not.toMatch(/etcd|gen-c/);
    const fam = (out.families as Record<string, FamilyFigures>).kv!;
    expect(fam.faultline_check_cpu_ms).toBeLessThanOrEqual(fam.faultline_cpu_ms);
    const line = lines.find((l) => l.startsWith('kv:'));
    expect(line).toContain(`check only: faultline ${fam.faultline_check_cpu_ms.toFixed(1)} ms against the baseline's ${fam.baseline_cpu_ms.toFixed(1)} ms`);
  });
});
