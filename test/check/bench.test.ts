// The linearizability benchmark streams one line per history and a family summary as it
// goes, and `--json` keeps every history's figures. Small families and tiny baseline
// budgets; no assertion on times.

import { describe, expect, it } from 'vitest';
import { runLinearizabilityBench, type FamilyFigures, type HistoryFigures } from '../../sim/bench/linearizability.ts';

describe('bench linearizability', () => {
  it('prints one line per history, then the family summary, in order', () => {
    const lines: string[] = [];
    const out = runLinearizabilityBench({ families: 'kv', runs: '1', baselineSteps: '20' }, (l) => lines.push(l));
    expect(lines[0]).toMatch(/families kv; .* at most 20 steps per history/);
    const names = ['c01-bad.txt', 'c01-ok.txt', 'c10-bad.txt', 'c10-ok.txt'];
    expect(lines.slice(1, 5).map((l) => l.split(' ')[1])).toEqual(names);
    for (const l of lines.slice(1, 5)) expect(l).toMatch(/^kv \S+ \(\d+ ops\): (linearizable|not-linearizable); faultline [\d.]+ ms CPU, [\d.]+ ms wall \(read [\d.]+ \+ check [\d.]+ ms CPU\), \d+ steps; baseline /);
    expect(lines[5]).toMatch(/^kv: 4\/4 verdicts right, \d+ ops; faultline .*slowest .*; baseline [\d.]+ ms CPU/);
    expect(lines).toHaveLength(6);
    // The human output leaves the per-history figures out: they were streamed.
    expect(out.histories).toBeUndefined();
    expect((out.floors as Record<string, string>).every_verdict_right).toBe('met');
  });

  it('writes each line as soon as its history is measured, not at the end', () => {
    // A log that fails on the first history line stops the bench there: that line came before the next history ran.
    let calls = 0;
    expect(() =>
      runLinearizabilityBench({ families: 'kv', runs: '1', baselineSteps: '20' }, (l) => {
        calls++;
        if (l.startsWith('kv c01-bad.txt')) throw new Error('stop after the first history');
      }),
    ).toThrow('stop after the first history');
    expect(calls).toBe(2);
  });

  it('--json keeps every history: wall and CPU of Faultline and of the baseline, which may give up', () => {
    const lines: string[] = [];
    const out = runLinearizabilityBench({ families: 'kv', runs: '2', baselineSteps: '20', json: true }, (l) => lines.push(l));
    const hs = out.histories as HistoryFigures[];
    expect(hs.map((h) => h.name)).toEqual(['c01-bad.txt', 'c01-ok.txt', 'c10-bad.txt', 'c10-ok.txt']);
    for (const h of hs) {
      expect(h.family).toBe('kv');
      expect(h.right).toBe(true);
      expect(h.verdict).toBe(h.name.endsWith('-ok.txt') ? 'linearizable' : 'not-linearizable');
      for (const k of ['read_ms', 'read_cpu_ms', 'check_ms', 'check_cpu_ms', 'ms', 'cpu_ms', 'steps'] as const) expect(h.faultline[k]).toBeGreaterThanOrEqual(0);
      expect(h.faultline.steps).toBeGreaterThan(0);
      expect(h.baseline.steps).toBeLessThanOrEqual(20);
      expect(h.baseline.ms).toBeGreaterThanOrEqual(0);
      expect(h.baseline.cpu_ms).toBeGreaterThanOrEqual(0);
      expect(h.speedup_at_least).toBe(h.baseline.gave_up);
      if (h.baseline.gave_up) {
        expect(h.baseline.verdict).toBe('gave up');
        expect(h.baseline.right).toBeNull();
        expect(lines.find((l) => l.startsWith(`kv ${h.name}`))).toMatch(/baseline gave up after 20 steps, >= [\d.]+ ms CPU .*speed-up >= /);
      } else {
        expect(h.baseline.right).toBe(true);
        expect(h.baseline.verdict).toBe(h.verdict);
      }
    }
    // c10-ok needs more than 20 baseline steps (over 300 operations, all linearized); c01-bad fails within 20.
    expect(hs.find((h) => h.name === 'c10-ok.txt')!.baseline.gave_up).toBe(true);
    expect(hs.find((h) => h.name === 'c01-bad.txt')!.baseline.gave_up).toBe(false);
    const fam = (out.families as Record<string, FamilyFigures>).kv!;
    expect(fam.histories).toBe(4);
    expect(fam.right).toBe(4);
    expect(fam.operations).toBe(hs.reduce((n, h) => n + h.operations, 0));
    expect(fam.baseline_gave_up).toBe(hs.filter((h) => h.baseline.gave_up).length);
    expect(fam.speedup_at_least).toBe(true);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('a bad option is a RangeError', () => {
    expect(() => runLinearizabilityBench({ families: 'kv,nope' }, () => {})).toThrow(RangeError);
    expect(() => runLinearizabilityBench({ families: 'kv', baselineSteps: '0' }, () => {})).toThrow(RangeError);
  });
});
