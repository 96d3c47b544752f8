// SimView.faults (sim/engine/fault-state.ts) and SimView.actor: what checkers
// see of the fault state, with exact since-times, and which node a step may
// have changed.

import { describe, expect, it } from 'vitest';
import { defaultEngineConfig, type TimedFault } from '../../sim/engine/config.ts';
import { Simulation } from '../../sim/engine/simulation.ts';
import type { Checker, NodeId, SimView } from '../../sim/engine/types.ts';
import { runTraced, scripted } from './harness.ts';

/** A checker that records, after every step, what a function of the view says (deduplicated in a row). */
function recorder(f: (v: SimView) => string): { checker: Checker; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    checker: {
      name: 'recorder',
      description: 'records the view',
      when: 'always',
      check(v) {
        const s = `${v.now}: ${f(v)}`;
        if (seen[seen.length - 1]?.replace(/^\d+: /, '') !== s.replace(/^\d+: /, '')) seen.push(s);
        return undefined;
      },
    },
  };
}

const idle = (id: string) => scripted(id, {});

function run(faults: TimedFault[], f: (v: SimView) => string, until = 100_000): string[] {
  const r = recorder(f);
  runTraced({ nodes: [idle('a'), idle('b'), idle('c')], until, faults, checkers: [r.checker] });
  return r.seen;
}

describe('SimView.faults', () => {
  it('running and runningSince follow start, crash, restart, pause and resume', () => {
    const seen = run(
      [
        { at: 10_000, kind: 'crash', node: 'a' },
        { at: 20_000, kind: 'restart', node: 'a' },
        { at: 30_000, kind: 'pause', node: 'a' },
        { at: 40_000, kind: 'resume', node: 'a' },
      ],
      (v) => `${v.faults.running('a')} ${v.faults.runningSince('a')}`,
    );
    expect(seen).toEqual(['0: true 0', '10000: false undefined', '20000: true 20000', '30000: false undefined', '40000: true 40000']);
  });

  it('links: a one-way block cuts one direction; connected needs both directions and both nodes running; heal reopens with a new since', () => {
    const seen = run(
      [
        { at: 10_000, kind: 'block', from: 'a', to: 'b' },
        { at: 20_000, kind: 'heal' },
        { at: 30_000, kind: 'crash', node: 'b' },
      ],
      (v) => `${v.faults.linkOpen('a', 'b')} ${v.faults.linkOpen('b', 'a')} ${v.faults.linkOpenSince('a', 'b')} ${v.faults.connected('a', 'b')} ${v.faults.connectedSince('a', 'b')}`,
    );
    // b starts in the step after a: not connected until then.
    expect(seen).toEqual(['0: true true 0 false undefined', '0: true true 0 true 0', '10000: false true undefined false undefined', '20000: true true 20000 true 20000', '30000: true true 20000 false undefined']);
  });

  it('a slow fault is a fault of the links it slows: closed while it lasts, reopened when it ends (factor 1) or at the quiesce, and a block under it keeps the link closed', () => {
    const seen = run(
      [
        { at: 10_000, kind: 'slow', node: 'a', factor: 20 },
        { at: 20_000, kind: 'block', from: 'a', to: 'b' },
        { at: 30_000, kind: 'slow', node: 'a', factor: 1 },
        { at: 40_000, kind: 'heal' },
        { at: 50_000, kind: 'slow', node: 'c', to: 'b', factor: 5 },
        { at: 60_000, kind: 'quiesce' },
      ],
      (v) => `${['a-b', 'b-a', 'a-c', 'c-b', 'b-c'].map((p) => (v.faults.linkOpen(p[0] as NodeId, p[2] as NodeId) ? 1 : 0)).join('')} ${v.faults.linkOpenSince('a', 'b')} ${v.faults.linkOpenSince('c', 'b')}`,
    );
    expect(seen).toEqual(['0: 11111 0 0', '10000: 00011 undefined 0', '30000: 01111 undefined 0', '40000: 11111 40000 0', '50000: 11101 40000 undefined', '60000: 11111 40000 60000']);
  });

  it('linkCut: a block or partition cuts a link, a slow fault does not (its messages arrive, late)', () => {
    const seen = run(
      [
        { at: 10_000, kind: 'slow', node: 'a', factor: 20 },
        { at: 20_000, kind: 'block', from: 'a', to: 'b' },
        { at: 30_000, kind: 'heal' },
      ],
      (v) => `${v.faults.linkCut('a', 'b') ? 'cut' : 'not cut'} ${v.faults.linkOpen('a', 'b') ? 'open' : 'closed'}`,
    );
    expect(seen).toEqual(['0: not cut open', '10000: not cut closed', '20000: cut closed', '30000: not cut closed']);
  });

  it('partitions cut only between groups; a node in no group keeps its links', () => {
    const seen = run([{ at: 10_000, kind: 'partition', groups: [['a'], ['b']] }], (v) => ['a-b', 'b-a', 'a-c', 'c-b'].map((p) => (v.faults.linkOpen(p[0] as NodeId, p[2] as NodeId) ? 1 : 0)).join(''));
    expect(seen).toEqual(['0: 1111', '10000: 0011']);
  });

  it('quiesce heals, ends the loss burst and brings crashed and paused nodes back, all with the quiesce time as since', () => {
    const seen = run(
      [
        { at: 10_000, kind: 'isolate', node: 'a' },
        { at: 11_000, kind: 'crash', node: 'b' },
        { at: 12_000, kind: 'pause', node: 'c' },
        { at: 13_000, kind: 'loss', p: 0.5 },
        { at: 50_000, kind: 'quiesce' },
      ],
      (v) => `${v.faults.connectedSince('a', 'b')} ${v.faults.runningSince('c')} ${v.faults.lossBurst}@${v.faults.lossBurstSince}`,
    );
    expect(seen.at(-2)).toBe('13000: undefined undefined 0.5@13000');
    expect(seen.at(-1)).toBe('50000: 50000 50000 0@50000');
  });

  it('clock faults are recorded with the size of the jump of local time; the epoch changes exactly when the fault state does', () => {
    const seen = run(
      [
        { at: 10_000, kind: 'clock', node: 'b', offset: -4_000 },
        { at: 20_000, kind: 'heal' }, // nothing is cut: no change
        { at: 30_000, kind: 'block', from: 'a', to: 'c' },
        { at: 31_000, kind: 'block', from: 'a', to: 'c' }, // already cut: no change
      ],
      (v) => `epoch ${v.faults.epoch} clock ${v.faults.clockSetAt('b')} jump ${v.faults.clockJump('b')}`,
    );
    // Three starts bump the epoch to 3; the clock fault to 4; the first block to 5.
    expect(seen).toEqual(['0: epoch 1 clock undefined jump 0', '0: epoch 2 clock undefined jump 0', '0: epoch 3 clock undefined jump 0', '10000: epoch 4 clock 10000 jump 4000', '30000: epoch 5 clock 10000 jump 4000']);
  });

  it('an unknown node id is a RangeError', () => {
    const r = recorder((v) => String(v.faults.running('zz')));
    const out = runTraced({ nodes: [idle('a')], until: 1000, checkers: [r.checker] });
    expect(out.violations[0]?.message).toBe('checker threw: unknown node "zz"');
  });
});

describe('SimView.actor and SimView.stepsTaken', () => {
  it('names the node whose handler ran, and is undefined for a fault step; stepsTaken counts every step', () => {
    const pinger = scripted('a', {
      start: (ctx) => ctx.setTimer('t', 5_000),
      timer: (ctx) => ctx.send('b', { type: 'ping' }),
    });
    const r = recorder((v) => `${v.stepsTaken} ${v.actor ?? '(fault)'}`);
    runTraced({
      nodes: [pinger, idle('b')],
      until: 50_000,
      config: (c) => (c.network.latency = { kind: 'constant', value: 1_000 }),
      faults: [{ at: 20_000, kind: 'crash', node: 'b' }],
      checkers: [r.checker],
    });
    expect(r.seen).toEqual(['0: 1 a', '0: 2 b', '5000: 3 a', '6000: 4 b', '20000: 5 (fault)']);
  });
});

describe('SimView.actor in a driven run (take, inject)', () => {
  it('names the node of a delivery or timer taken, and is undefined for a fault injected or taken after it', () => {
    const pinger = scripted('a', {
      start: (ctx) => ctx.setTimer('t', 5_000),
      timer: (ctx) => ctx.send('b', { type: 'ping' }),
    });
    const r = recorder((v) => `${v.stepsTaken} ${v.actor ?? '(fault)'}`);
    const sim = new Simulation({ seed: 'd', nodes: [pinger, idle('b')], config: defaultEngineConfig(), faults: [{ at: 1_000, kind: 'pause', node: 'a' }], checkers: [r.checker] });
    const next = (kind: string): void => {
      const ev = sim.pending().find((p) => p.kind === kind);
      expect(ev).toBeDefined();
      if (ev) sim.take(ev.q);
    };
    next('start');
    next('start');
    next('timer');
    next('deliver');
    sim.inject({ kind: 'crash', node: 'a' });
    next('fault');
    expect(r.seen.map((s) => s.replace(/^\d+: /, ''))).toEqual(['1 a', '2 b', '3 a', '4 b', '5 (fault)', '6 (fault)']);
  });
});
