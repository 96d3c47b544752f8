// Hand-built traces for the viewer's tests: the protocols' published state
// shapes (docs/architecture.md) without depending on the protocols, a
// violation, every fault kind, and hostile text.

import { hashText } from '../../sim/engine/trace.ts';
import type { JsonValue, TraceEvent, TraceHeader } from '../../sim/engine/types.ts';

export const XSS = '<img src=x onerror=alert(1)>';

type NoSeq<E> = E extends unknown ? Omit<E, 'seq'> : never;

/** Assemble a trace text: header, events numbered in order, footer with the true hash. */
export function traceText(header: Partial<TraceHeader> & { nodes: TraceHeader['nodes'] }, events: NoSeq<TraceEvent>[]): string {
  const h: TraceHeader = { format: 'faultline-trace', version: 1, scenario: 'synthetic', protocol: 'synthetic', seed: '1', config: {}, timeline: [], ...header };
  let body = JSON.stringify(h) + '\n';
  events.forEach((e, seq) => {
    body += JSON.stringify({ seq, ...e }) + '\n';
  });
  const last = events.at(-1);
  const footer = { type: 'end', t: last ? last.t : 0, events: events.length, hash: hashText(body), stats: {} };
  return body + JSON.stringify(footer) + '\n';
}

const raftState = (role: string, term: number, log: { term: number; cmd: string }[], commitIndex: number, leader: string | null): JsonValue => ({
  role,
  term,
  votedFor: leader,
  leader,
  commitIndex,
  lastApplied: commitIndex,
  snapshotIndex: 0,
  logStart: 1,
  log,
});

/** A small Raft-shaped run: n1 elected in term 1, replicates two entries, n3 crashes, a partition, an election-safety violation. */
export function raftTrace(): string {
  const nodes = ['n1', 'n2', 'n3'].map((id) => ({ id, role: 'server' }));
  const e1 = { term: 1, cmd: 'put k1=1' };
  const e2 = { term: 1, cmd: `put k2=${XSS}` };
  const ev: NoSeq<TraceEvent>[] = [
    { t: 0, type: 'start', node: 'n1' },
    { t: 0, type: 'start', node: 'n2' },
    { t: 0, type: 'start', node: 'n3' },
    { t: 0, type: 'state', node: 'n1', state: raftState('follower', 0, [], 0, null) },
    { t: 100, type: 'timer', node: 'n1', name: 'election' },
    { t: 100, type: 'state', node: 'n1', state: raftState('candidate', 1, [], 0, null) },
    { t: 100, type: 'send', id: 0, from: 'n1', to: 'n2', msg: { type: 'RequestVote', term: 1 } },
    { t: 100, type: 'send', id: 1, from: 'n1', to: 'n3', msg: { type: 'RequestVote', term: 1 } },
    { t: 100, type: 'drop', id: 1, from: 'n1', to: 'n3', reason: 'loss' },
    { t: 300, type: 'deliver', id: 0, from: 'n1', to: 'n2' },
    { t: 300, type: 'send', id: 2, from: 'n2', to: 'n1', msg: { type: 'RequestVoteReply', granted: true, note: XSS } },
    { t: 300, type: 'duplicate', id: 3, of: 2, from: 'n2', to: 'n1' },
    { t: 500, type: 'deliver', id: 2, from: 'n2', to: 'n1' },
    { t: 500, type: 'state', node: 'n1', state: raftState('leader', 1, [e1, e2], 1, 'n1') },
    { t: 600, type: 'deliver', id: 3, from: 'n2', to: 'n1' },
    { t: 700, type: 'send', id: 4, from: 'n1', to: 'n2', msg: { type: 'AppendEntries', term: 1, entries: 2 } },
    { t: 800, type: 'crash', node: 'n3', lostWrites: 0 },
    { t: 900, type: 'deliver', id: 4, from: 'n1', to: 'n2' },
    { t: 900, type: 'state', node: 'n2', state: raftState('follower', 1, [e1, e2], 1, 'n1') },
    { t: 1000, type: 'partition', label: 'n1 | n2,n3', blocked: [['n1', 'n2'], ['n2', 'n1'], ['n1', 'n3'], ['n3', 'n1']] },
    { t: 1100, type: 'restart', node: 'n3' },
    { t: 1200, type: 'pause', node: 'n2' },
    { t: 1300, type: 'resume', node: 'n2', queued: 0 },
    { t: 1400, type: 'state', node: 'n3', state: raftState('leader', 1, [{ term: 1, cmd: 'put k9=9' }], 0, 'n3') },
    { t: 1400, type: 'log', node: 'n3', text: `became leader ${XSS}` },
    { t: 1400, type: 'violation', invariant: 'election-safety', message: `two leaders in term 1: n1 and n3 ${XSS}`, cause: 23 },
    { t: 1500, type: 'heal', label: 'heal', blocked: [['n1', 'n2'], ['n2', 'n1'], ['n1', 'n3'], ['n3', 'n1']] },
  ];
  return traceText({ scenario: 'raft-synthetic', protocol: 'raft', nodes }, ev);
}

/** Lock service shapes: a server, two clients (one with a skewed clock), a resource. */
export function lockTrace(): string {
  const nodes = [
    { id: 's1', role: 'server' },
    { id: 'c1', role: 'client' },
    { id: 'c2', role: 'client' },
    { id: 'r1', role: 'resource' },
  ];
  const server = (holder: string | null, token: number, expiresAt: number, waiters: string[]): JsonValue => ({ locks: { L: { holder, token, expiresAt, waiters } }, nextToken: token + 1 });
  const client = (holding: boolean, token: number | null, deadline: number | null): JsonValue => ({ lock: 'L', holding, token, deadline, recipe: 'fencing' });
  const ev: NoSeq<TraceEvent>[] = [
    { t: 0, type: 'start', node: 's1' },
    { t: 0, type: 'start', node: 'c1' },
    { t: 0, type: 'start', node: 'c2' },
    { t: 0, type: 'start', node: 'r1' },
    { t: 0, type: 'clock', node: 'c2', offset: 5000, drift: 0 },
    { t: 500, type: 'invoke', node: 'c1', op: 0, process: 'c1', f: 'acquire', key: 'L' },
    { t: 600, type: 'invoke', node: 'c2', op: 1, process: 'c2', f: 'acquire', key: 'L' },
    { t: 1000, type: 'state', node: 's1', state: server('c1', 1, 11000, ['c2']) },
    { t: 1000, type: 'state', node: 'c1', state: client(true, 1, 11000) },
    { t: 1000, type: 'return', node: 'c1', op: 0, process: 'c1', outcome: 'ok', value: 1 },
    { t: 2000, type: 'state', node: 'r1', state: { highestToken: 1, accepted: 1, rejected: 0 } },
    { t: 12000, type: 'state', node: 's1', state: server('c2', 2, 22000, []) },
    { t: 12000, type: 'state', node: 'c2', state: client(true, 2, 27000) },
    { t: 12000, type: 'return', node: 'c2', op: 1, process: 'c2', outcome: 'ok', value: 2 },
    { t: 13000, type: 'state', node: 'r1', state: { highestToken: 2, accepted: 2, rejected: 0 } },
    { t: 13500, type: 'invoke', node: 'c1', op: 2, process: 'c1', f: 'write', key: 'L', value: 'x' },
    { t: 14000, type: 'state', node: 'r1', state: { highestToken: 2, accepted: 2, rejected: 1 } },
  ];
  return traceText({ scenario: 'lock-synthetic', protocol: 'lock', nodes }, ev);
}

/** Two-phase commit shapes: a coordinator and two participants; p2 in doubt for a while. */
export function twopcTrace(): string {
  const nodes = [
    { id: 'co', role: 'coordinator' },
    { id: 'p1', role: 'participant' },
    { id: 'p2', role: 'participant' },
  ];
  const ev: NoSeq<TraceEvent>[] = [
    { t: 0, type: 'start', node: 'co' },
    { t: 0, type: 'start', node: 'p1' },
    { t: 0, type: 'start', node: 'p2' },
    { t: 10, type: 'state', node: 'co', state: { txs: { t1: { state: 'preparing', votes: { p1: null, p2: null } } } } },
    { t: 20, type: 'state', node: 'p1', state: { txs: { t1: 'prepared' }, inDoubt: ['t1'], balance: 100 } },
    { t: 20, type: 'state', node: 'p2', state: { txs: { t1: 'prepared' }, inDoubt: ['t1'], balance: 50 } },
    { t: 30, type: 'state', node: 'co', state: { txs: { t1: { state: 'committing', votes: { p1: 'yes', p2: 'yes' } } } } },
    { t: 40, type: 'state', node: 'p1', state: { txs: { t1: 'committed' }, inDoubt: [], balance: 90 } },
    { t: 90, type: 'state', node: 'p2', state: { txs: { t1: 'committed' }, inDoubt: [], balance: 60 } },
  ];
  return traceText({ scenario: 'twopc-synthetic', protocol: 'twopc', nodes }, ev);
}

/** Ring storage shapes: three members, one migration in flight. */
export function ringTrace(): string {
  const nodes = ['a', 'b', 'c'].map((id) => ({ id, role: 'server' }));
  const members = [
    { id: 'a', weight: 1 },
    { id: 'b', weight: 1 },
    { id: 'c', weight: 2 },
  ];
  const ev: NoSeq<TraceEvent>[] = [
    { t: 0, type: 'start', node: 'a' },
    { t: 0, type: 'state', node: 'a', state: { ringVersion: 1, members, keys: 10, migrating: [{ to: 'c', keys: 3 }] } },
    { t: 0, type: 'state', node: 'b', state: { ringVersion: 1, members, keys: 12, migrating: [] } },
    { t: 0, type: 'state', node: 'c', state: { ringVersion: 1, members, keys: 20, migrating: [] } },
  ];
  return traceText({ scenario: 'ring-synthetic', protocol: 'ring', nodes, config: { config: { mode: 'native', vnodes: 8 } } }, ev);
}

/** A pingpong-like trace of n events over `nodes` nodes (for scale tests). */
export function bigTrace(n: number, nodeCount = 8): string {
  const nodes = Array.from({ length: nodeCount }, (_, i) => ({ id: `n${i + 1}`, role: 'server' }));
  const ev: NoSeq<TraceEvent>[] = [];
  let id = 0;
  let t = 0;
  for (const nd of nodes) ev.push({ t: 0, type: 'start', node: nd.id });
  const inFlight: { id: number; from: string; to: string; at: number }[] = [];
  let x = 12345;
  const rnd = (k: number): number => {
    // LCG; its low bits are poor, so use the high ones.
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x >>> 12) % k;
  };
  while (ev.length < n) {
    t += 1 + rnd(20);
    if (inFlight.length > 0 && (inFlight.length > 40 || rnd(2) === 0)) {
      const m = inFlight.shift() as (typeof inFlight)[number];
      ev.push(rnd(50) === 0 ? { t, type: 'drop', id: m.id, from: m.from, to: m.to, reason: 'loss' } : { t, type: 'deliver', id: m.id, from: m.from, to: m.to });
    } else {
      const from = nodes[rnd(nodeCount)]!.id;
      const to = nodes[rnd(nodeCount)]!.id;
      ev.push({ t, type: 'send', id, from, to, msg: { type: rnd(3) === 0 ? 'ping' : 'token', n: id } });
      inFlight.push({ id: id++, from, to, at: t });
    }
  }
  return traceText({ scenario: 'big', protocol: 'pingpong', nodes }, ev);
}

/**
 * A register history with a planted wrong read: c3 reads x = 2, which nobody
 * wrote (not linearizable on key x), and a linearizable key y. Ends with the
 * linearizable checker's violation, caused by the last event.
 */
export function registerTrace(): string {
  const nodes = ['c1', 'c2', 'c3'].map((id) => ({ id, role: 'client' }));
  const ev: NoSeq<TraceEvent>[] = [
    { t: 0, type: 'start', node: 'c1' },
    { t: 0, type: 'start', node: 'c2' },
    { t: 0, type: 'start', node: 'c3' },
    { t: 100, type: 'invoke', node: 'c1', op: 0, process: 'c1', f: 'write', key: 'x', value: 1 },
    { t: 200, type: 'return', node: 'c1', op: 0, process: 'c1', outcome: 'ok' },
    { t: 300, type: 'invoke', node: 'c2', op: 1, process: 'c2', f: 'read', key: 'x' },
    { t: 400, type: 'return', node: 'c2', op: 1, process: 'c2', outcome: 'ok', value: 1 },
    { t: 500, type: 'invoke', node: 'c3', op: 2, process: 'c3', f: 'read', key: 'x' },
    { t: 600, type: 'return', node: 'c3', op: 2, process: 'c3', outcome: 'ok', value: 2 },
    { t: 700, type: 'invoke', node: 'c1', op: 3, process: 'c1', f: 'write', key: 'y', value: 5 },
    { t: 750, type: 'invoke', node: 'c2', op: 4, process: 'c2', f: 'read', key: 'y' },
    { t: 800, type: 'return', node: 'c1', op: 3, process: 'c1', outcome: 'ok' },
    { t: 900, type: 'return', node: 'c2', op: 4, process: 'c2', outcome: 'ok', value: 5 },
    { t: 1000, type: 'violation', invariant: 'linearizable', message: 'register: op 2 (c3 read x -> 2) cannot be linearized', cause: 12 },
  ];
  return traceText({ scenario: 'register-synthetic', protocol: 'synthetic', nodes }, ev);
}

/** Twelve message types, faults starting close together (three partitions, a loss burst, a disk corruption) and a quiesce point. */
export function faultsTrace(): string {
  const nodes = ['a', 'b', 'c', 'd'].map((id) => ({ id, role: 'server' }));
  const ev: NoSeq<TraceEvent>[] = nodes.map((n) => ({ t: 0, type: 'start' as const, node: n.id }));
  for (let i = 0; i < 12; i++) {
    const from = nodes[i % 4]!.id;
    const to = nodes[(i + 1) % 4]!.id;
    ev.push({ t: 100 + i * 10, type: 'send', id: i, from, to, msg: { type: `Type${String(i).padStart(2, '0')}` } });
  }
  for (let i = 0; i < 12; i++) ev.push({ t: 400 + i * 10, type: 'deliver', id: i, from: nodes[i % 4]!.id, to: nodes[(i + 1) % 4]!.id });
  ev.push(
    { t: 600, type: 'partition', label: 'a | b,c,d', blocked: [['a', 'b']] },
    { t: 601, type: 'partition', label: 'b | a,c,d', blocked: [['b', 'a']] },
    { t: 602, type: 'partition', label: 'c | a,b,d', blocked: [['c', 'a']] },
    { t: 603, type: 'network', loss: 0.3, duplicate: 0 },
    { t: 604, type: 'disk', node: 'b', op: 'corrupt', key: 'log' },
    { t: 800, type: 'network', loss: 0, duplicate: 0 },
    { t: 900, type: 'heal', label: 'heal', blocked: [] },
  );
  return traceText({ scenario: 'faults-synthetic', protocol: 'synthetic', nodes, timeline: [{ at: 950, kind: 'quiesce' }] }, [...ev, { t: 1000, type: 'log', node: '*', text: 'quiesce: faults stopped, liveness phase begins' }]);
}
