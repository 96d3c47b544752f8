// Guided search's trigger contexts (triggerContextObserver in sim/fuzz/guided.ts): a fault paired with the
// protocol triggers that fired at its node shortly before it (`crash@log-truncated`). Shown on the scenario
// that makes the outside mutant raft/truncatedTailNotDeleted visible (testdata/redteam): a crash the engine
// itself fires on `log-truncated` at the truncated server gives the context; the same crash long after the
// truncation does not (beyond the horizon), and neither does a run without faults.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import { triggerContextObserver, type RunCoverage } from '../../sim/fuzz/guided.ts';
import { stateParts } from '../../sim/fuzz/fuzz.ts';
import { getProtocol } from '../../sim/protocols/registry.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';

const doc = JSON.parse(readFileSync(new URL('../../testdata/redteam/raft-truncated-tail-restart.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const HORIZON = 40_000;

function contexts(scenario: Record<string, unknown>, protocol = 'raft'): { ctx: string[]; firstAt: Map<string, number>; log: string } {
  const cov: RunCoverage = { states: new Set(), edges: new Set(), contexts: new Set(), firstAt: new Map() };
  const obs = triggerContextObserver(getProtocol(protocol)!.triggers!, cov, HORIZON)!;
  const p = prepareRun(parseScenario(scenario as never));
  const sink = new MemorySink();
  runPrepared({ ...p, checkers: [...p.checkers, obs] }, { trace: sink });
  return { ctx: [...cov.contexts!], firstAt: cov.firstAt!, log: sink.text() };
}

describe('trigger contexts (guided coverage)', () => {
  it('a crash the engine fires on log-truncated at the truncated server gives crash@log-truncated, at the crash time', () => {
    const onTrigger = { ...doc, expect: undefined, faults: { timeline: [
      { at: '0ms', id: 'c', kind: 'crash', node: '@trigger', on: { event: 'log-truncated', node: 'n2' } },
      { after: 'c', delay: '200ms', kind: 'restart', node: '$c' },
      { at: '1s', kind: 'quiesce' },
    ] } };
    const { ctx, firstAt, log } = contexts(onTrigger);
    // The engine's own trigger fired at n2 (its resolution line), and the observer saw the same step.
    expect(log).toMatch(/on log-truncated #1 at n2 -> crash n2/);
    expect(ctx).toContain('crash@log-truncated');
    // n2 granted n1 its vote just before (its log shrank, so follower-appended did not fire).
    expect(ctx).toContain('crash@vote-granted');
    expect(ctx).not.toContain('crash@follower-appended');
    // Its first time is the crash's (what a branch cuts near).
    const crash = log.split('\n').map((l) => (l === '' ? undefined : (JSON.parse(l) as { type?: string; t?: number }))).find((e) => e?.type === 'crash');
    expect(firstAt.get('crash@log-truncated')).toBe(crash?.t);
    // A restart 200 ms later is beyond the horizon of the truncation (the crashed node fired nothing since).
    expect(ctx.some((c) => c.startsWith('restart@'))).toBe(false);
    // A context is one part for the corpus's rarity (no `>`: not split like an abstract-state context).
    expect(stateParts([], ['crash@log-truncated'])).toEqual(['crash@log-truncated']);
  });

  it('the same crash 440 ms after the truncation, or no fault at all, gives no crash@log-truncated', () => {
    expect(contexts(doc).ctx).not.toContain('crash@log-truncated');
    expect(contexts({ ...doc, expect: undefined, faults: { timeline: [] } }).ctx).toEqual([]);
  });

  it('twopc: a crash on vote-logged at the participant gives crash@vote-logged', () => {
    const s = { name: 'tc', description: 'crash a participant as it logs its vote', protocol: 'twopc', duration: '2s', faults: { timeline: [
      { at: '0ms', id: 'c', kind: 'crash', node: '@trigger', on: { event: 'vote-logged' } },
      { after: 'c', delay: '100ms', kind: 'restart', node: '$c' },
    ] } };
    const { ctx, log } = contexts(s, 'twopc');
    expect(log).toMatch(/on vote-logged #1 at \S+ -> crash/);
    expect(ctx).toContain('crash@vote-logged');
  });
});
