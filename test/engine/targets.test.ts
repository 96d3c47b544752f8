// Faults aimed at roles and started by protocol triggers: targets resolve to
// the node holding the role at fire time (checked against the published state
// the trace shows, rebuilt independently of the engine), triggers fire exactly
// once at the counted occurrence, `$x` hits the node `x` hit, a role nobody
// holds skips the fault (and its end) with a trace line, and bad names are
// input errors naming the place and the valid names.

import { describe, expect, it } from 'vitest';
import { replayTrace } from '../../sim/fuzz/replay.ts';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import type { NodeId, TraceEvent } from '../../sim/engine/types.ts';
import { viewBefore } from './view-from-trace.ts';
import { raftRoles, lastIndex } from '../../sim/protocols/raft/targets.ts';
import type { RaftServerState } from '../../sim/protocols/raft/state.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';

function raft(timeline: unknown[], extra: Record<string, unknown> = {}, seed = 1): Scenario {
  return parseScenario({
    name: 'targets',
    description: 'targeted faults',
    protocol: 'raft',
    seed,
    config: { servers: 5, clients: 2, electionTimeout: { min: '50ms', max: '100ms' }, heartbeat: '15ms', ...extra },
    duration: '1.5s',
    faults: { timeline },
  });
}

interface Traced {
  events: TraceEvent[];
  text: string;
  /** The fault machinery's log lines ("fault 0: ..."). */
  faultLines: { t: number; seq: number; text: string }[];
}

function traced(s: Scenario): Traced {
  const r = runScenario(s, { trace: true });
  const text = r.trace as string;
  const events = text
    .split('\n')
    .filter((l) => l.length > 0)
    .slice(1, -1)
    .map((l) => JSON.parse(l) as TraceEvent);
  const faultLines = events.flatMap((e) => (e.type === 'log' && e.node === '*' && e.text.startsWith('fault ') ? [{ t: e.t, seq: e.seq, text: e.text }] : []));
  return { events, text, faultLines };
}


const ROLES: Record<NodeId, string> = { n1: 'server', n2: 'server', n3: 'server', n4: 'server', n5: 'server', c1: 'client', c2: 'client' };

/** The node a fault line says the target resolved to: "... -> crash n3". */
function resolvedNode(line: string): string {
  const m = / -> \w+ (\S+)$/.exec(line);
  if (!m) throw new Error(`no resolved node in "${line}"`);
  return m[1] as string;
}

describe('role targets resolve to the holder at fire time', () => {
  const cases: [string, string][] = [];
  for (const role of ['leader', 'follower', 'longest-log', 'lagging']) for (const at of ['300ms', '700ms']) cases.push([role, at]);
  it.each(cases)('crash @%s at %s: the crashed node holds the role in the published state just before', (role, at) => {
    for (const seed of [1, 2, 3]) {
      const t = traced(raft([{ at, kind: 'crash', node: `@${role}`, id: 'x' }, { after: 'x', delay: '100ms', kind: 'restart', node: '$x' }], {}, seed));
      const line = t.faultLines[0];
      expect(line?.text).toMatch(new RegExp(`^fault 0 \\(x\\): crash @${role} -> crash n\\d$`));
      const node = resolvedNode(line!.text);
      const holders = raftRoles[role]!.resolve(viewBefore(t.events, line!.seq, ROLES));
      expect(holders).toContain(node);
      // The fault the line announces is the very next event: the crash of that node.
      expect(t.events.find((e) => e.seq === line!.seq + 1)).toMatchObject({ type: 'crash', node });
    }
  });

  it('the leader role is the leader of the newest term, and longest-log has the highest last index', () => {
    const t = traced(raft([{ at: '600ms', kind: 'isolate', node: '@longest-log' }]));
    const line = t.faultLines[0]!;
    const view = viewBefore(t.events, line.seq, ROLES);
    const node = resolvedNode(line.text);
    const last = (id: string): number => lastIndex(view.published(id) as unknown as RaftServerState);
    for (const id of ['n1', 'n2', 'n3', 'n4', 'n5']) expect(last(node)).toBeGreaterThanOrEqual(last(id));
  });

  it('a split partition puts the target in a minority (minority-with) or a majority (majority-with) of the servers only', () => {
    for (const split of ['minority-with', 'majority-with', 'alone'] as const) {
      const t = traced(raft([{ at: '500ms', kind: 'partition', split, around: '@leader' }]));
      const line = t.faultLines[0]!;
      const leader = /-> partition (\S+) \| (\S+)$/.exec(line.text);
      expect(leader, line.text).not.toBeNull();
      const [side, rest] = [leader![1]!.split(','), leader![2]!.split(',')];
      const holders = raftRoles.leader!.resolve(viewBefore(t.events, line.seq, ROLES));
      expect(holders.some((h) => side.includes(h))).toBe(true);
      expect([...side, ...rest].sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
      expect(side.length).toBe(split === 'minority-with' ? 2 : split === 'majority-with' ? 3 : 1);
    }
  });
});

describe('labels: the end hits the node the start hit', () => {
  it('restart $x restarts the node crash @follower hit, `delay` after it fired', () => {
    for (const seed of [1, 2, 3, 4]) {
      const t = traced(raft([{ at: '400ms', kind: 'crash', node: '@follower', id: 'x' }, { after: 'x', delay: '150ms', kind: 'restart', node: '$x' }], {}, seed));
      const crash = t.events.find((e) => e.type === 'crash');
      const restart = t.events.find((e) => e.type === 'restart');
      expect(crash).toBeDefined();
      expect(restart).toMatchObject({ node: (crash as { node: string }).node, t: crash!.t + 150_000 });
    }
  });

  it('a role nobody holds skips the fault with a trace line, and its end is skipped too', () => {
    const t = traced(raft([{ at: '1s', kind: 'crash', node: '@crashed', id: 'x' }, { after: 'x', delay: '10ms', kind: 'restart', node: '$x' }]));
    expect(t.faultLines.map((l) => l.text)).toEqual(['fault 0 (x): crash @crashed skipped: no node holds role crashed', 'fault 1: restart $x skipped: fault "x" did not fire']);
    expect(t.events.some((e) => e.type === 'crash' || e.type === 'restart')).toBe(false);
  });
});

/** Times and nodes at which a server became leader (a new term or a new role), from the trace's state events. */
function leaderships(events: TraceEvent[]): { t: number; seq: number; node: string }[] {
  const prev = new Map<string, RaftServerState>();
  const out: { t: number; seq: number; node: string }[] = [];
  for (const e of events) {
    if (e.type !== 'state' || !e.node.startsWith('n')) continue;
    const s = e.state as unknown as RaftServerState;
    const p = prev.get(e.node);
    if (s.role === 'leader' && (p === undefined || p.role !== 'leader' || p.term !== s.term)) out.push({ t: e.t, seq: e.seq, node: e.node });
    prev.set(e.node, s);
  }
  return out;
}

describe('triggers fire exactly once, at the counted occurrence', () => {
  // Crash the leader every 150 ms so there are several elections to count.
  const churn = [200, 350, 500, 650].flatMap((ms, i) => [
    { at: `${ms}ms`, kind: 'crash', node: '@leader', id: `c${i}` },
    { after: `c${i}`, delay: '60ms', kind: 'restart', node: `$c${i}` },
  ]);
  it.each([1, 2, 3])('on became-leader, nth %i, delay 2ms: one fault, 2 ms after the nth election, at the node elected', (nth) => {
    const t = traced(raft([...churn, { at: '100ms', on: { event: 'became-leader', nth }, delay: '2ms', kind: 'clock', node: '@trigger', offset: '1ms', id: 'k' }]));
    // Occurrences counted from the arming time (100 ms).
    const occurrences = leaderships(t.events).filter((o) => o.t >= 100_000);
    expect(occurrences.length).toBeGreaterThanOrEqual(nth + 1);
    const target = occurrences[nth - 1]!;
    const lines = t.faultLines.filter((l) => l.text.startsWith('fault 8 '));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.text).toBe(`fault 8 (k): clock @trigger, on became-leader #${nth} at ${target.node} -> clock ${target.node}`);
    expect(lines[0]!.t).toBe(target.t + 2000);
    expect(t.events.filter((e) => e.type === 'clock')).toEqual([expect.objectContaining({ node: target.node, t: target.t + 2000 })]);
  });

  it('on.node counts only occurrences at the nodes it names', () => {
    const t = traced(raft([...churn, { at: 0, on: { event: 'became-leader', node: 'n2' }, kind: 'clock', node: '@trigger', offset: '1ms' }]));
    const first = leaderships(t.events).find((o) => o.node === 'n2');
    const clocks = t.events.filter((e) => e.type === 'clock');
    if (first === undefined) expect(clocks).toEqual([]);
    else expect(clocks).toEqual([expect.objectContaining({ node: 'n2', t: first.t })]);
  });

  it('a trigger that never comes is disarmed at the quiesce point, with its end', () => {
    const t = traced(raft([{ at: 0, on: { event: 'snapshot-taken' }, kind: 'crash', node: '@trigger', id: 's' }, { after: 's', delay: '1ms', kind: 'restart', node: '$s' }, { at: '1s', kind: 'quiesce' }]));
    expect(t.faultLines.map((l) => [l.t, l.text])).toEqual([
      [1_000_000, 'fault 0 (s): crash @trigger disarmed at the quiesce point: snapshot-taken occurred 0 of 1 times'],
      [1_000_000, 'fault 1: restart $s skipped: fault "s" did not fire'],
    ]);
  });

  it('a triggered run is deterministic and replays from its header byte for byte', () => {
    const s = raft([...churn, { at: '100ms', on: { event: 'leader-appended', nth: 2 }, delay: '3ms', kind: 'isolate', node: '@trigger', id: 'i' }, { after: 'i', delay: '200ms', kind: 'heal' }]);
    const a = traced(s);
    expect(traced(s).text).toBe(a.text);
    const replay = replayTrace(a.text);
    expect(replay.identical).toBe(true);
  });
});

describe('scenario validation of targets and triggers', () => {
  function errorOf(timeline: unknown[]): string {
    try {
      prepareRun(parseScenario({ name: 'x', description: 'x', protocol: 'raft', duration: '1s', faults: { timeline } }, 'bad.json'), { file: 'bad.json' });
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as InputError).describe();
    }
    throw new Error('expected an InputError');
  }
  it.each([
    [[{ at: 0, kind: 'crash', node: '@boss' }], 'bad.json: faults.timeline[0].node: unknown role "boss"; raft has: @any, @up, @crashed, @paused, @trigger, @leader'],
    [[{ at: 0, kind: 'isolate', node: 'n1', on: { event: 'elected' } }], 'bad.json: faults.timeline[0].on.event: unknown trigger "elected"; raft has: became-leader,'],
    [[{ at: 0, kind: 'restart', node: '$x' }], 'bad.json: faults.timeline[0].node: no fault has the id "x"'],
    [[{ at: 0, kind: 'heal', after: 'y' }], 'bad.json: faults.timeline[0].after: no fault has the id "y"'],
    [[{ at: 0, kind: 'crash', node: '@trigger' }], 'bad.json: faults.timeline[0].node: @trigger names the node a trigger occurred at'],
    [[{ at: 0, kind: 'crash', node: 'n1', id: 'a' }, { at: 0, kind: 'crash', node: 'n2', id: 'a' }], 'bad.json: faults.timeline[1].id: duplicate fault id "a"'],
    [[{ at: 0, kind: 'partition', split: 'minority-with', around: '@chief' }], 'bad.json: faults.timeline[0].around: unknown role "chief"'],
    [[{ at: 0, kind: 'partition', split: 'half', around: '@leader' }], 'bad.json: faults.timeline[0].split: expected a split: one of alone, minority-with, majority-with'],
    [[{ at: 0, kind: 'partition', around: '@leader' }], 'bad.json: faults.timeline[0].split: missing'],
    [[{ kind: 'crash', node: 'n1' }], 'bad.json: faults.timeline[0].at: missing: expected a duration'],
    [[{ at: 0, kind: 'crash', node: 'n1', delay: '1ms' }], 'bad.json: faults.timeline[0].delay: a delay needs a trigger'],
    [[{ at: 0, kind: 'crash', node: 'n7' }], 'bad.json: faults.timeline[0].node: unknown node "n7"; this cluster has: n1, n2, n3, c1, c2'],
  ])('%j', (timeline, prefix) => {
    expect(errorOf(timeline)).toContain(prefix);
  });

  it('a protocol without triggers says so', () => {
    try {
      prepareRun(parseScenario({ name: 'x', description: 'x', protocol: 'pingpong', duration: '1s', faults: { timeline: [{ at: 0, kind: 'crash', node: 'n1', on: { event: 'x' } }] } }));
      throw new Error('expected an InputError');
    } catch (e) {
      expect((e as InputError).message).toBe('unknown trigger "x"; pingpong declares no triggers');
    }
  });
});
