// The engine refuses a run whose virtual time stops advancing: more events than
// MAX_EVENTS_PER_INSTANT scheduled for the current instant from within it (a
// zero-delay timer re-armed forever, a zero-latency message loop) throw
// TimeStalledError naming the node and the timer or message, fast, instead of
// hanging with a growing queue. Many events that merely fall due at one instant
// are not a stall.

import { describe, expect, it } from 'vitest';
import { EventQueue, MAX_EVENTS_PER_INSTANT, TimeStalledError, type QueuedEvent } from '../../sim/engine/queue.ts';
import { InputError, RunRefusedError } from '../../sim/scenario/errors.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { runTraced, scripted } from './harness.ts';

function stalled(fn: () => unknown): TimeStalledError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TimeStalledError) return err;
    throw err;
  }
  throw new Error('expected a TimeStalledError');
}

describe('EventQueue: the bound on events scheduled for the current instant', () => {
  interface Ev extends QueuedEvent {
    label: string;
  }
  const ev = (t: number, label = 'e'): Ev => ({ t, q: 0, label });

  it('counts only events pushed for the instant being processed, and resets when time advances', () => {
    const q = new EventQueue<Ev>((e) => e.label, 10);
    for (let i = 0; i < 50; i++) q.push(ev(5)); // due at t=5, pushed before it: not a stall
    q.push(ev(6));
    for (let i = 0; i < 50; i++) expect(q.pop()?.t).toBe(5);
    for (let i = 0; i < 10; i++) q.push(ev(5, 'spin')); // ten pushed from within t=5: at the bound
    for (let i = 0; i < 10; i++) expect(q.pop()?.t).toBe(5);
    expect(q.pop()?.t).toBe(6); // time advanced: the count starts over
    for (let i = 0; i < 11; i++) q.push(ev(6, i % 2 === 0 ? 'spin' : 'other'));
    const err = stalled(() => q.pop());
    expect(err.t).toBe(6);
    expect(err.events).toBe(11);
    expect(err.culprit).toBe('spin (6 of the last 11)');
  });
});

describe('Simulation: a run that stops advancing time is refused', () => {
  it('a zero-delay timer re-armed forever: TimeStalledError naming the node and the timer, at the instant it began', () => {
    const spinner = scripted('n1', {
      start: (ctx) => ctx.setTimer('warmup', 5000),
      timer: (ctx, name) => ctx.setTimer(name === 'warmup' ? 'spin' : name, 0),
    });
    const quiet = scripted('n2', {});
    const err = stalled(() => runTraced({ nodes: [spinner, quiet], until: 1_000_000 }));
    expect(err.t).toBe(5000);
    expect(err.events).toBe(MAX_EVENTS_PER_INSTANT + 1);
    expect(err.culprit).toMatch(/^timer "spin" of node n1 \(\d+ of the last \d+\)$/);
    expect(err.message).toContain('virtual time stopped advancing at t=5ms');
  });

  it('a zero-latency message loop: TimeStalledError naming the message and the link', () => {
    const bounce = (id: string, peer: string) =>
      scripted(id, {
        start: (ctx) => {
          if (id === 'a') ctx.send(peer, { type: 'ball' });
        },
        message: (ctx) => ctx.send(peer, { type: 'ball' }),
      });
    const err = stalled(() => runTraced({ nodes: [bounce('a', 'b'), bounce('b', 'a')], until: 1_000_000, config: (c) => (c.network.latency = { kind: 'constant', value: 0 }) }));
    expect(err.t).toBe(0);
    expect(err.culprit).toMatch(/^messages "ball" from (a to b|b to a) \(\d+ of the last \d+\)$/);
  });

  it('more events than the bound merely falling due at one instant is a legal run', () => {
    const n = MAX_EVENTS_PER_INSTANT + 20_000;
    let received = 0;
    const sender = scripted('s', { start: (ctx) => Array.from({ length: n }, () => ctx.send('r', { type: 'm' })) });
    const receiver = scripted('r', { message: () => void received++ });
    const r = runTraced({ nodes: [sender, receiver], until: 10_000, config: (c) => (c.network.latency = { kind: 'constant', value: 1000 }) });
    expect(received).toBe(n);
    expect(r.stats.endTime).toBe(10_000);
  });
});

describe('runPrepared: a refused run is bad input (exit 2 from the CLI), naming the file', () => {
  const zeroLatency = { name: 'zl', description: 'tokens passed with no latency', protocol: 'pingpong', duration: '1s', config: { nodes: 3, inFlight: 3 }, network: { latency: { kind: 'constant', value: 0 } } };

  it('time stopped: RunRefusedError, an InputError, with the file, the instant and the culprit', () => {
    const run = prepareRun(parseScenario(zeroLatency, 'zl.json'), { file: 'zl.json' });
    let err: unknown;
    try {
      runPrepared(run);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunRefusedError);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).describe()).toMatch(/^zl\.json: t=0us: the run was refused: virtual time stopped advancing at t=0us: 100001 events were scheduled for that same instant, most of them messages "token" from n\d to n\d/);
  });

  it('the step limit: a run that reaches it before its duration is refused, not cut short silently', () => {
    const run = prepareRun(parseScenario({ ...zeroLatency, network: {} }, 'pp.json'), { file: 'pp.json' });
    expect(() => runPrepared(run, { maxSteps: 500 })).toThrow(/^the run was refused: it reached the limit of 500 events at t=[\d.]+ms, before its duration of 1s/);
    expect(runPrepared(run).stats.endTime).toBe(1_000_000);
  });
});
