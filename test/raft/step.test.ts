// Paper rules of a Raft server, one input at a time through the one node shape
// (step() from sim/api/node.ts): the exact commands a server emits, in order.
// The order is part of the rule: Figure 2 says persistent state is "updated on
// stable storage before responding to RPCs", so a put and an fsync come before
// the send that depends on them.

import { describe, expect, it } from 'vitest';
import { step, type Command, type Input, type JsonValue } from '../../sim/api/index.ts';
import { rootRng } from '../../sim/engine/random.ts';
import { MS } from '../../sim/engine/time.ts';
import { kvService } from '../../sim/protocols/raft/kv.ts';
import { NO_BUGS } from '../../sim/protocols/raft/node.ts';
import { RaftServer, type RaftTimer } from '../../sim/protocols/raft/server.ts';
import type { RaftServerState } from '../../sim/protocols/raft/state.ts';
import type { ServerMessage } from '../../sim/protocols/raft/types.ts';

const SERVERS = ['n1', 'n2', 'n3'];
type Cmd = Command<ServerMessage, RaftTimer, RaftServerState>;

/** A server n2 booted from a disk holding `term`, `votedFor` and a log of no-ops of these terms; its disk is carried from step to step. */
function booted(hard: { term: number; votedFor: string | null; log: number[] }) {
  const server = new RaftServer({
    raft: { id: 'n2', servers: SERVERS, electionTimeoutMin: 150 * MS, electionTimeoutMax: 300 * MS, heartbeat: 50 * MS, preVote: false, checkQuorum: true, maxBatch: 64, bugs: { ...NO_BUGS } },
    machine: kvService,
    snapshotEvery: 0,
    reads: 'log',
    preload: hard,
  });
  const disk = new Map<string, JsonValue>();
  const rng = rootRng('step');
  const run = (input: Input<ServerMessage, RaftTimer>): Cmd[] => {
    const cmds = step(server, input, { id: 'n2', nodes: [...SERVERS, 'c1'], rng, disk, now: 1000 * MS });
    for (const c of cmds) {
      if (c.kind === 'put') disk.set(c.key, c.value);
      if (c.kind === 'delete') disk.delete(c.key);
    }
    return cmds;
  };
  run({ kind: 'start' });
  return { server, disk, run };
}

/** The commands with timer delays (random election timeouts) and published states reduced to what a row asserts. */
function shape(cmds: Cmd[]): unknown[] {
  return cmds.map((c) => {
    if (c.kind === 'set-timer') return { kind: 'set-timer', timer: c.timer.name };
    if (c.kind === 'publish') return { kind: 'publish', role: c.state.role, term: c.state.term, votedFor: c.state.votedFor, lastIndex: c.state.lastIndex, logFrom: c.state.logFrom, entries: c.state.entries };
    if (c.kind === 'put' && c.key.startsWith('raft/log/')) return { kind: 'put', key: c.key };
    return c;
  });
}

const voteReq = (term: number, lastLogIndex: number, lastLogTerm: number): Input<ServerMessage, RaftTimer> => ({
  kind: 'message',
  from: 'n1',
  msg: { type: 'vote-req', term, candidate: 'n1', lastLogIndex, lastLogTerm, pre: false },
});

interface Row {
  rule: string;
  disk: { term: number; votedFor: string | null; log: number[] };
  input: Input<ServerMessage, RaftTimer>;
  expected: unknown[];
}

const rows: Row[] = [
  {
    rule: 'RequestVote receiver, rule 2 (and Figure 2 persistence): a newer term with an up-to-date log: adopt the term, vote, persist and fsync, reset the election timer, then answer granted',
    disk: { term: 1, votedFor: null, log: [1] },
    input: voteReq(2, 1, 1),
    expected: [
      { kind: 'put', key: 'raft/hard', value: { term: 2, votedFor: 'n1' } },
      { kind: 'fsync' },
      { kind: 'set-timer', timer: 'election' },
      { kind: 'send', to: 'n1', msg: { type: 'vote-resp', term: 2, granted: true, pre: false } },
      { kind: 'publish', role: 'follower', term: 2, votedFor: 'n1', lastIndex: 1, logFrom: 2, entries: [] },
    ],
  },
  {
    rule: 'Section 5.4.1: a candidate whose last entry has an older term is refused, but its newer term is still adopted (and persisted) before the answer; no timer reset',
    disk: { term: 1, votedFor: null, log: [1, 1] },
    input: voteReq(3, 5, 0),
    expected: [
      { kind: 'put', key: 'raft/hard', value: { term: 3, votedFor: null } },
      { kind: 'fsync' },
      { kind: 'send', to: 'n1', msg: { type: 'vote-resp', term: 3, granted: false, pre: false } },
      { kind: 'publish', role: 'follower', term: 3, votedFor: null, lastIndex: 2, logFrom: 3, entries: [] },
    ],
  },
  {
    rule: 'RequestVote receiver, rule 1: a request of an older term is refused with the current term; nothing is written',
    disk: { term: 4, votedFor: null, log: [] },
    input: voteReq(3, 0, 0),
    expected: [{ kind: 'send', to: 'n1', msg: { type: 'vote-resp', term: 4, granted: false, pre: false } }],
  },
  {
    rule: 'AppendEntries receiver, rules 3-4: a conflicting entry and all after it are replaced; the new entries are written and fsynced before the acknowledgement, and published as the written suffix',
    disk: { term: 2, votedFor: null, log: [1, 1, 2] },
    input: {
      kind: 'message',
      from: 'n1',
      msg: { type: 'append-req', term: 3, leader: 'n1', prevLogIndex: 1, prevLogTerm: 1, entries: [{ term: 3, cmd: { kind: 'noop' } }], leaderCommit: 0, round: 1 },
    },
    expected: [
      { kind: 'put', key: 'raft/hard', value: { term: 3, votedFor: null } },
      { kind: 'put', key: 'raft/log/0000000002' },
      { kind: 'delete', key: 'raft/log/0000000003' },
      { kind: 'fsync' },
      { kind: 'set-timer', timer: 'election' },
      { kind: 'send', to: 'n1', msg: { type: 'append-resp', term: 3, success: true, matchIndex: 2, conflictTerm: 0, conflictIndex: 0, round: 1 } },
      { kind: 'publish', role: 'follower', term: 3, votedFor: null, lastIndex: 2, logFrom: 2, entries: [3] },
    ],
  },
  {
    rule: 'AppendEntries receiver, rule 2: no entry at prevLogIndex: refuse, telling the leader where the log ends (end of section 5.3), and write nothing',
    disk: { term: 3, votedFor: null, log: [1] },
    input: {
      kind: 'message',
      from: 'n1',
      msg: { type: 'append-req', term: 3, leader: 'n1', prevLogIndex: 4, prevLogTerm: 3, entries: [], leaderCommit: 0, round: 1 },
    },
    expected: [
      { kind: 'set-timer', timer: 'election' },
      { kind: 'send', to: 'n1', msg: { type: 'append-resp', term: 3, success: false, matchIndex: 0, conflictTerm: 0, conflictIndex: 2, round: 1 } },
      { kind: 'publish', role: 'follower', term: 3, votedFor: null, lastIndex: 1, logFrom: 2, entries: [] },
    ],
  },
  {
    rule: 'Section 8: a follower does not take client commands; it redirects to the leader it knows of (none yet)',
    disk: { term: 1, votedFor: null, log: [] },
    input: { kind: 'message', from: 'c1', msg: { type: 'client-req', client: 'c1', seq: 1, op: { f: 'put', key: 'k', value: 'v' } } },
    expected: [{ kind: 'send', to: 'c1', msg: { type: 'client-reply', seq: 1, ok: false, leaderHint: null } }],
  },
  {
    rule: 'Candidates, rule 1: on an election timeout, increment the term, vote for self (persisted first), reset the timer, and ask every other server',
    disk: { term: 1, votedFor: null, log: [1] },
    input: { kind: 'timer', timer: { name: 'election' } },
    expected: [
      { kind: 'put', key: 'raft/hard', value: { term: 2, votedFor: 'n2' } },
      { kind: 'fsync' },
      { kind: 'set-timer', timer: 'election' },
      { kind: 'set-timer', timer: 'heartbeat' },
      { kind: 'send', to: 'n1', msg: { type: 'vote-req', term: 2, candidate: 'n2', lastLogIndex: 1, lastLogTerm: 1, pre: false } },
      { kind: 'send', to: 'n3', msg: { type: 'vote-req', term: 2, candidate: 'n2', lastLogIndex: 1, lastLogTerm: 1, pre: false } },
      { kind: 'publish', role: 'candidate', term: 2, votedFor: 'n2', lastIndex: 1, logFrom: 2, entries: [] },
    ],
  },
];

describe('a Raft server, one input at a time (step)', () => {
  it.each(rows)('$rule', ({ disk, input, expected }) => {
    const { run } = booted(disk);
    expect(shape(run(input))).toEqual(expected);
  });

  it('the first publish after a start carries the whole recovered log; the next ones only what was written since', () => {
    const server = new RaftServer({
      raft: { id: 'n2', servers: SERVERS, electionTimeoutMin: 150 * MS, electionTimeoutMax: 300 * MS, heartbeat: 50 * MS, preVote: false, checkQuorum: true, maxBatch: 64, bugs: { ...NO_BUGS } },
      machine: kvService,
      snapshotEvery: 0,
      reads: 'log',
      preload: { term: 2, votedFor: null, log: [1, 2, 2] },
    });
    const first = step(server, { kind: 'start' }, { id: 'n2', nodes: SERVERS, rng: rootRng('s') });
    const pub = first.find((c) => c.kind === 'publish');
    expect(pub?.kind === 'publish' && pub.state).toMatchObject({ lastIndex: 3, logFrom: 1, entries: [1, 2, 2] });
  });
});
