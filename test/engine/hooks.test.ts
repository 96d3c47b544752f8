// Typed event hooks (Checker.on, sim/engine/hooks.ts): the engine calls them where it emits (or,
// untraced, numbers) the matching trace event, with that event's fields. Shown against a run that
// builds every event: an untraced run with only hooks sees the same calls, in the same order, as
// the events an all-types observer sees (send, deliver, drop, duplicate, start, restart, timer,
// invoke, return, state, violation), the violation numbering does not change, and callHooks replays a trace into hooks.

import { describe, expect, it } from 'vitest';
import { defaultEngineConfig, type EngineConfig, type TimedFault } from '../../sim/engine/config.ts';
import { callHooks } from '../../sim/engine/hooks.ts';
import { Simulation } from '../../sim/engine/simulation.ts';
import type { Checker, EventHooks, NodeSpec, TraceEvent } from '../../sim/engine/types.ts';
import { scripted } from './harness.ts';

/** Two nodes ping-ponging over a lossy, duplicating link (one message to a node that does not exist); n2 crashes and restarts. */
function cluster(): NodeSpec[] {
  const node = (id: string, peer: string): NodeSpec =>
    scripted(id, {
      start: (ctx) => {
        ctx.publish({ n: 0 });
        ctx.setTimer('tick', 7_000);
      },
      timer: (ctx) => {
        ctx.complete(ctx.invoke({ process: id, f: 'tick' }), 'ok');
        ctx.send(peer, { type: 'ping' });
        if (ctx.now() < 10_000) ctx.send('nobody', { type: 'ping' });
        ctx.setTimer('tick', 7_000);
      },
      message: (ctx, _from, msg) => {
        if (msg.type === 'ping') ctx.send(peer, { type: 'pong' });
        else ctx.publish({ n: ctx.now() });
      },
    });
  return [node('n1', 'n2'), node('n2', 'n1')];
}

const FAULTS: TimedFault[] = [
  { at: 40_000, kind: 'crash', node: 'n2' },
  { at: 75_000, kind: 'restart', node: 'n2' },
];

function config(): EngineConfig {
  const c = defaultEngineConfig();
  c.network.loss = 0.2;
  c.network.duplicate = 0.2;
  return c;
}

/** Fails once, at step 20. */
const failing = (): Checker => ({ name: 'fails', description: 'fails', when: 'always', check: (view) => (view.stepsTaken === 20 ? 'step 20' : undefined) });

/** Each hook call as the trace event it stands for (without seq and t). */
function recorder(calls: unknown[]): EventHooks {
  return {
    send: (id, from, to, msg) => calls.push({ type: 'send', id, from, to, msg }),
    deliver: (id, from, to) => calls.push({ type: 'deliver', id, from, to }),
    drop: (id, from, to, reason) => calls.push({ type: 'drop', id, from, to, reason }),
    duplicate: (id, of, from, to) => calls.push({ type: 'duplicate', id, of, from, to }),
    start: (node, restart) => calls.push({ type: restart ? 'restart' : 'start', node }),
    timer: (node, name) => calls.push({ type: 'timer', node, name }),
    invoke: (node, op, process, f) => calls.push({ type: 'invoke', node, op, process, f }),
    return: (node, op, process, outcome) => calls.push({ type: 'return', node, op, process, outcome }),
    publish: (node, state) => calls.push({ type: 'state', node, state }),
    violation: (invariant) => calls.push({ type: 'violation', invariant }),
  };
}

const HOOKED = new Set(['send', 'deliver', 'drop', 'duplicate', 'start', 'restart', 'timer', 'invoke', 'return', 'state', 'violation']);

/** What a hook call carries of a trace event. */
function fields(ev: TraceEvent): unknown {
  switch (ev.type) {
    case 'send':
      return { type: ev.type, id: ev.id, from: ev.from, to: ev.to, msg: ev.msg };
    case 'deliver':
      return { type: ev.type, id: ev.id, from: ev.from, to: ev.to };
    case 'drop':
      return { type: ev.type, id: ev.id, from: ev.from, to: ev.to, reason: ev.reason };
    case 'duplicate':
      return { type: ev.type, id: ev.id, of: ev.of, from: ev.from, to: ev.to };
    case 'start':
    case 'restart':
      return { type: ev.type, node: ev.node };
    case 'timer':
      return { type: ev.type, node: ev.node, name: ev.name };
    case 'invoke':
      return { type: ev.type, node: ev.node, op: ev.op, process: ev.process, f: ev.f };
    case 'return':
      return { type: ev.type, node: ev.node, op: ev.op, process: ev.process, outcome: ev.outcome };
    case 'state':
      return { type: ev.type, node: ev.node, state: ev.state };
    case 'violation':
      return { type: ev.type, invariant: ev.invariant };
    default:
      return undefined;
  }
}

function run(checkers: Checker[]) {
  const sim = new Simulation({ seed: 'hooks', nodes: cluster(), config: config(), faults: FAULTS, checkers, stopOnViolation: false });
  return sim.run(200_000);
}

describe('typed event hooks', () => {
  const events: TraceEvent[] = [];
  const all: Checker = { name: 'all', description: 'all', when: 'always', check: () => undefined, observe: (ev) => void events.push(structuredClone(ev)) };
  const built = run([all, failing()]);
  const calls: unknown[] = [];
  const hooked = run([{ name: 'hooked', description: 'hooked', when: 'always', check: () => undefined, on: recorder(calls) }, failing()]);

  it('an untraced run calls the hooks as the events of a run that builds them all, in order', () => {
    const expected = events.filter((e) => HOOKED.has(e.type)).map(fields);
    for (const type of HOOKED) expect(expected.some((e) => (e as { type: string }).type === type), `the run has a ${type} event`).toBe(true);
    expect(calls).toEqual(expected);
  });

  it('the run is the same: same violations (seq and cause), same stats', () => {
    expect(hooked.violations).toEqual(built.violations);
    expect(hooked.stats).toEqual(built.stats);
  });

  it('callHooks replays trace events into hooks, as the engine calls them', () => {
    const replayed: unknown[] = [];
    const hooks = recorder(replayed);
    for (const ev of events) callHooks(hooks, ev);
    expect(replayed).toEqual(calls);
  });

  it('a checker that failed keeps getting its hooks; a final checker gets none', () => {
    const late: unknown[] = [];
    const final: unknown[] = [];
    run([
      { name: 'fails', description: 'fails', when: 'always', check: () => 'at once', on: recorder(late) },
      { name: 'final', description: 'final', when: 'final', check: () => undefined, on: recorder(final) },
    ]);
    const notViolation = (c: unknown): boolean => (c as { type: string }).type !== 'violation';
    expect(late.filter(notViolation)).toEqual(calls.filter(notViolation));
    expect(late.filter((c) => !notViolation(c))).toEqual([{ type: 'violation', invariant: 'fails' }]);
    expect(final).toEqual([]);
  });
});
