// Observers that declare the event types they read (Checker.observes) and act once per instant
// (Checker.onInstant): an untraced run then builds only the declared events, yet an observer sees
// exactly what it would see in a run that builds them all (same events, same sequence numbers), a
// violation gets the same numbers, and onInstant comes at the first event of every later instant.

import { describe, expect, it } from 'vitest';
import { defaultEngineConfig, type TimedFault } from '../../sim/engine/config.ts';
import { Simulation } from '../../sim/engine/simulation.ts';
import type { Checker, NodeSpec, SimView, TraceEvent, TraceEventType } from '../../sim/engine/types.ts';
import { onPublished, onSend, triggerObserves } from '../../sim/engine/targets.ts';
import { raftTargets } from '../../sim/protocols/raft/targets.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { header, runTraced, scripted } from './harness.ts';

/** Two nodes ping-ponging with client history, publishes and logs; n2 crashes and restarts. */
function cluster(): NodeSpec[] {
  const node = (id: string, peer: string): NodeSpec =>
    scripted(id, {
      start: (ctx) => {
        ctx.publish({ n: 0 });
        ctx.setTimer('tick', 7_000);
      },
      timer: (ctx) => {
        const op = ctx.invoke({ process: id, f: 'put', key: 'k', value: 1 });
        ctx.send(peer, { type: 'ping' });
        ctx.complete(op, 'ok');
        ctx.setTimer('tick', 7_000);
      },
      message: (ctx, _from, msg) => {
        ctx.log(`got ${msg.type}`);
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

interface Seen {
  events: TraceEvent[];
  instants: number[];
  /** Per onInstant call: whether an event of that instant had been observed before it. */
  early: boolean[];
}

function observer(name: string, seen: Seen, observes?: readonly TraceEventType[]): Checker {
  return {
    name,
    description: name,
    when: 'always',
    check: () => undefined,
    ...(observes ? { observes } : {}),
    onInstant(t: number, _view: SimView) {
      seen.early.push(seen.events.some((e) => e.t === t));
      seen.instants.push(t);
    },
    observe(ev) {
      seen.events.push(structuredClone(ev));
    },
  };
}

/** Fails once, at step 20: its violation's seq and cause must not depend on what is built. */
const failing: Checker = { name: 'fails', description: 'fails', when: 'always', check: (view) => (view.stepsTaken === 20 ? 'step 20' : undefined) };

function untraced(checkers: Checker[]) {
  const sim = new Simulation({ seed: 's', nodes: cluster(), config: defaultEngineConfig(), faults: FAULTS, checkers, stopOnViolation: false });
  return sim.run(200_000);
}

describe('observers that declare the event types they read', () => {
  const all: Seen = { events: [], instants: [], early: [] };
  const full = untraced([observer('all', all), failing]);
  const types: TraceEventType[] = ['state', 'crash', 'restart'];
  const some: Seen = { events: [], instants: [], early: [] };
  const narrow = untraced([observer('some', some, types), failing]);

  it('see exactly the events of their types that a run building every event shows, with the same numbers', () => {
    expect(all.events.length).toBeGreaterThan(some.events.length);
    expect(new Set(all.events.map((e) => e.type))).toEqual(new Set(['start', 'state', 'timer', 'invoke', 'send', 'return', 'deliver', 'log', 'crash', 'drop', 'restart', 'violation']));
    expect(some.events).toEqual(all.events.filter((e) => types.includes(e.type)));
    expect(some.events.length).toBeGreaterThan(5);
  });

  it('the run numbers events and violations the same, and a traced run agrees', () => {
    expect(narrow.stats.events).toBe(full.stats.events);
    expect(narrow.violations).toEqual(full.violations);
    const traced = runTraced({ nodes: cluster(), until: 200_000, seed: 's', faults: FAULTS, checkers: [failing], stopOnViolation: false });
    expect(traced.events.map((e) => [e.seq, e.type])).toEqual(all.events.map((e) => [e.seq, e.type]));
  });

  it('onInstant comes once per instant, at its first event (whatever its type), before observe sees any of it', () => {
    const distinct = [...new Set(all.events.map((e) => e.t))];
    expect(all.instants).toEqual(distinct);
    expect(some.instants).toEqual(distinct);
    expect(some.early.every((e) => !e)).toBe(true);
    expect(all.early.every((e) => !e)).toBe(true);
  });

  it('an observer that declares nothing sees every event even next to one that declares a few', () => {
    const a: Seen = { events: [], instants: [], early: [] };
    const b: Seen = { events: [], instants: [], early: [] };
    untraced([observer('some', b, ['crash']), observer('all', a), failing]);
    expect(a.events).toEqual(all.events);
    expect(b.events).toEqual(all.events.filter((e) => e.type === 'crash'));
  });
});

describe('a run with a fault trigger builds every event only while the trigger is armed', () => {
  // Raft with a crash on the 2nd vote granted after 300 ms, and a restart on the next leader.
  const scenario = parseScenario({
    name: 'observes-trigger',
    description: 'trigger',
    protocol: 'raft',
    seed: 3,
    config: { servers: 5, clients: 1, electionTimeout: { min: '50ms', max: '100ms' }, heartbeat: '15ms' },
    duration: '1s',
    faults: {
      timeline: [
        { at: '300ms', kind: 'crash', node: '@leader', id: 'c' },
        { at: '320ms', on: { event: 'vote-granted' }, delay: '1ms', kind: 'crash', node: '@trigger', id: 'v' },
        { at: '305ms', on: { event: 'became-leader' }, kind: 'restart', node: '$c' },
      ],
    },
  });
  const types: TraceEventType[] = ['crash', 'restart', 'state'];
  const run = (hash: boolean, checkers: Checker[]) => {
    const p = prepareRun(scenario);
    const sim = new Simulation({ seed: p.seed, nodes: p.nodes, config: p.engine, faults: p.timeline, checkers: [...p.checkers, ...checkers], ...raftTargets, isolate: 'freeze', hash, ...(hash ? { header: header(p.nodes) } : {}) });
    return sim.run(p.scenario.duration);
  };

  it('the triggered faults fire at the same events as in a run that builds them all, and everything is numbered the same', () => {
    const all: Seen = { events: [], instants: [], early: [] };
    const some: Seen = { events: [], instants: [], early: [] };
    const full = run(true, [observer('all', all)]);
    const narrow = run(false, [observer('some', some, types)]);
    const crashes = all.events.filter((e) => e.type === 'crash' || e.type === 'restart');
    expect(crashes.map((e) => e.type)).toEqual(['crash', 'crash', 'restart']);
    expect(some.events).toEqual(all.events.filter((e) => types.includes(e.type)));
    expect(narrow.stats).toEqual(full.stats);
    expect(narrow.violations).toEqual(full.violations);
  });
});

describe('triggers that declare the event types they read (TriggerMatcher.observes)', () => {
  const scenario = parseScenario({
    name: 'observes-trigger-types',
    description: 'triggers with declared types',
    protocol: 'raft',
    seed: 5,
    config: { servers: 5, clients: 2, electionTimeout: { min: '50ms', max: '100ms' }, heartbeat: '15ms' },
    duration: '1500ms',
    faults: {
      timeline: [
        { at: '200ms', on: { event: 'became-leader' }, delay: '2ms', kind: 'crash', node: '@trigger', id: 'a' },
        { at: '210ms', on: { event: 'vote-granted', nth: 3 }, kind: 'pause', node: '@trigger', id: 'b' },
        { after: 'a', delay: '100ms', kind: 'restart', node: '$a' },
        { after: 'b', delay: '50ms', kind: 'resume', node: '$b' },
        { at: '600ms', on: { event: 'leader-committed', nth: 5 }, kind: 'crash', node: '@trigger', id: 'c' },
      ],
    },
  });
  /** Raft's triggers with `match` spied on (event types shown, occurrences found); `declared: false` drops their `observes`. */
  const spied = (declared: boolean) => {
    const shown = new Set<string>();
    const found: [number, string][] = [];
    const triggers = Object.fromEntries(
      Object.entries(raftTargets.triggers).map(([name, t]) => [
        name,
        {
          description: t.description,
          ...(declared && t.observes ? { observes: t.observes } : {}),
          match: (ev: TraceEvent, view: SimView, prev: Parameters<typeof t.match>[2]) => {
            shown.add(ev.type);
            const node = t.match(ev, view, prev);
            if (node !== undefined) found.push([ev.seq, node]);
            return node;
          },
        },
      ]),
    );
    const p = prepareRun(scenario);
    const sim = new Simulation({ seed: p.seed, nodes: p.nodes, config: p.engine, faults: p.timeline, checkers: p.checkers, roles: raftTargets.roles, triggers, isolate: 'freeze' });
    return { result: sim.run(p.scenario.duration), shown, found };
  };

  it('are shown only events of those types, find the same occurrences, and the run is the same', () => {
    const narrow = spied(true);
    const wide = spied(false);
    expect([...narrow.shown].sort()).toEqual(['send', 'state']);
    expect(wide.shown.has('deliver') && wide.shown.has('timer')).toBe(true);
    expect(narrow.found.length).toBeGreaterThan(3);
    expect(narrow.found).toEqual(wide.found);
    expect(narrow.result.stats).toEqual(wide.result.stats);
    expect(narrow.result.stats.faults).toBe(5);
    expect(narrow.result.violations).toEqual(wide.result.violations);
  });

  it('every raft trigger declares its types; onSend and onPublished declare theirs, a wrapped match none', () => {
    for (const t of Object.values(raftTargets.triggers)) expect(t.observes?.length).toBe(1);
    const send = onSend('x');
    const state = onPublished(() => true);
    expect(triggerObserves({ description: '', match: send })).toEqual(['send']);
    expect(triggerObserves({ description: '', match: state })).toEqual(['state']);
    expect(triggerObserves({ description: '', match: (ev, view, prev) => send(ev, view, prev) })).toBeUndefined();
    expect(triggerObserves({ description: '', observes: ['deliver'], match: send })).toEqual(['deliver']);
  });
});
