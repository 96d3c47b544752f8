// Paper rules of two-phase commit as tables: the inputs that bring a node to a
// point, one more input, and the exact commands it emits, in order, via step()
// (sim/api/node.ts: one input, no simulation). The order is the rule: a
// write-ahead log is forced (fsync) before the message that depends on it.

import { describe, expect, it } from 'vitest';
import { step, timerId, type Command, type Input, type JsonValue, type ProtocolNode, type Timer } from '../../sim/api/index.ts';
import { rootRng } from '../../sim/engine/random.ts';
import { Coordinator, type CoordinatorTimer } from '../../sim/protocols/twopc/coordinator.ts';
import type { TwoPcMessage } from '../../sim/protocols/twopc/messages.ts';
import { Participant, type ParticipantOptions, type ParticipantTimer } from '../../sim/protocols/twopc/participant.ts';
import type { CoordinatorState, ParticipantState } from '../../sim/protocols/twopc/state.ts';
import { bugs } from './fake-io.ts';

/** One command as a short line: `send co vote {"yes":true}`, `put tx/t1`, `fsync`, `timer in-doubt/t1 150000`. */
function line(c: Command<TwoPcMessage, Timer, JsonValue>): string {
  switch (c.kind) {
    case 'send': {
      const { type, tx: _tx, ...rest } = c.msg as unknown as Record<string, JsonValue>;
      return `send ${c.to} ${String(type)}${Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : ''}`;
    }
    case 'set-timer':
      return `timer ${timerId(c.timer.name, c.timer.key)} ${c.delay}`;
    case 'cancel-timer':
      return `cancel ${timerId(c.name, c.key)}`;
    case 'put':
      return `put ${c.key}`;
    case 'delete':
      return `delete ${c.key}`;
    case 'log':
      return `log ${c.text}`;
    default:
      return c.kind;
  }
}

/** Run `inputs` through a node with step(), keeping its disk and armed timers between steps; return the last step's commands as lines. */
function drive<T extends Timer, P extends JsonValue>(node: ProtocolNode<TwoPcMessage, T, P>, id: string, inputs: Input<TwoPcMessage, T>[]): string[] {
  const disk = new Map<string, JsonValue>();
  const armed = new Set<string>();
  let last: Command<TwoPcMessage, T, P>[] = [];
  for (const input of inputs) {
    last = step(node, input, { id, nodes: ['co', 'p1', 'p2', 'c1'], rng: rootRng(id), disk, armed, now: 1000 });
    for (const c of last) {
      if (c.kind === 'put') disk.set(c.key, c.value);
      else if (c.kind === 'delete') disk.delete(c.key);
      else if (c.kind === 'set-timer') armed.add(timerId(c.timer.name, c.timer.key));
      else if (c.kind === 'cancel-timer') armed.delete(timerId(c.name, c.key));
    }
  }
  return last.map((c) => line(c as Command<TwoPcMessage, Timer, JsonValue>));
}

const msg = (from: string, m: TwoPcMessage): Input<TwoPcMessage, never> => ({ kind: 'message', from, msg: m });
const START = { kind: 'start' } as const;

const P_OPTS: ParticipantOptions = { accounts: ['a0', 'a1'], initialBalance: 100, workTimeout: 400_000, queryInterval: 150_000, cooperative: true, cooperativeAfter: 1, bugs: bugs() };
const work = (delta: number): TwoPcMessage => ({ type: 'work', tx: 't1', epoch: 0, ops: [{ account: 'a0', delta }], participants: ['p1', 'p2'] });
const inDoubt: Input<TwoPcMessage, ParticipantTimer> = { kind: 'timer', timer: { name: 'in-doubt', key: 't1' } };

const participantRules: { rule: string; opts?: Partial<ParticipantOptions>; before: Input<TwoPcMessage, ParticipantTimer>[]; input: Input<TwoPcMessage, ParticipantTimer>; commands: string[] }[] = [
  {
    rule: 'phase 1 (BHG §7.4): force the prepared record, then vote yes; from now on in doubt',
    before: [START, msg('co', work(-30))],
    input: msg('co', { type: 'prepare', tx: 't1' }),
    commands: ['put tx/t1', 'fsync', 'cancel work/t1', 'log in doubt: t1 (voted yes)', 'timer in-doubt/t1 150000', 'send co vote {"yes":true}', 'publish'],
  },
  {
    rule: 'phase 1: a debit above the balance votes no and aborts alone, the abort forced (AC2: final)',
    before: [START, msg('co', work(-101))],
    input: msg('co', { type: 'prepare', tx: 't1' }),
    commands: ['log abort t1 alone: insufficient funds in a0', 'put tx/t1', 'cancel work/t1', 'cancel in-doubt/t1', 'fsync', 'send co vote {"yes":false,"reason":"insufficient funds in a0"}', 'publish'],
  },
  {
    rule: 'phase 2: a commit forces the balances and the commit record, then acknowledges',
    before: [START, msg('co', work(-30)), msg('co', { type: 'prepare', tx: 't1' })],
    input: msg('co', { type: 'decision', tx: 't1', commit: true }),
    commands: ['put acct/a0', 'put tx/t1', 'fsync', 'cancel work/t1', 'cancel in-doubt/t1', 'log resolved t1: committed via coordinator after 0.000 ms in doubt', 'send co ack', 'publish'],
  },
  {
    rule: 'termination protocol: in doubt, it asks the coordinator again and never decides alone',
    opts: { cooperative: false },
    before: [START, msg('co', work(-30)), msg('co', { type: 'prepare', tx: 't1' })],
    input: inDoubt,
    commands: ['send co query', 'timer in-doubt/t1 150000'],
  },
  {
    rule: 'cooperative termination: after cooperativeAfter unanswered queries it also asks the other participants',
    before: [START, msg('co', work(-30)), msg('co', { type: 'prepare', tx: 't1' }), inDoubt],
    input: inDoubt,
    commands: ['send co query', 'send p2 peer-query', 'timer in-doubt/t1 150000'],
  },
  {
    rule: 'planted bug inDoubtDecidesAlone: the in-doubt timer aborts (what atomicity must catch)',
    opts: { bugs: bugs({ inDoubtDecidesAlone: true }) },
    before: [START, msg('co', work(-30)), msg('co', { type: 'prepare', tx: 't1' })],
    input: inDoubt,
    commands: ['put tx/t1', 'cancel work/t1', 'cancel in-doubt/t1', 'log resolved t1: aborted via own timeout after 0.000 ms in doubt', 'publish'],
  },
];

describe('two-phase commit participant: paper rules via step()', () => {
  it.each(participantRules)('$rule', ({ opts, before, input, commands }) => {
    expect(drive<ParticipantTimer, ParticipantState>(new Participant({ ...P_OPTS, ...opts }), 'p1', [...before, input])).toEqual(commands);
  });
});

const CO_OPTS = { accountsPerShard: 1, voteTimeout: 200_000, retryInterval: 50_000, resendInterval: 150_000, lazyFlush: 20_000, bugs: bugs() };
const begin = msg('c1', { type: 'begin', tx: 't1', transfer: { from: 'a0', to: 'a1', amount: 5 } });
const acked = [START, begin, msg('p1', { type: 'work-ack', tx: 't1', ok: true }), msg('p2', { type: 'work-ack', tx: 't1', ok: true })];

const coordinatorRules: { rule: string; opts?: Partial<typeof CO_OPTS>; before: Input<TwoPcMessage, CoordinatorTimer>[]; input: Input<TwoPcMessage, CoordinatorTimer>; commands: string[] }[] = [
  {
    rule: 'decision (Gray 1978): the last yes vote forces the commit record before anyone hears of it',
    before: [...acked, msg('p1', { type: 'vote', tx: 't1', yes: true })],
    input: msg('p2', { type: 'vote', tx: 't1', yes: true }),
    commands: [
      'cancel vote/t1', 'cancel retry/t1', 'log decide commit t1: every participant voted yes', 'put dec/t1', 'fsync',
      'send p1 decision {"commit":true}', 'send p2 decision {"commit":true}', 'timer resend/t1 150000',
      'send c1 outcome {"commit":true,"reason":"every participant voted yes"}', 'publish',
    ],
  },
  {
    rule: 'presumed abort: a no vote aborts with a lazy record (no fsync) and no acknowledgements to wait for',
    before: acked,
    input: msg('p2', { type: 'vote', tx: 't1', yes: false, reason: 'funds' }),
    commands: [
      'cancel vote/t1', 'cancel retry/t1', 'log decide abort t1: p2 voted no: funds', 'put dec/t1',
      'send p1 decision {"commit":false}', 'send p2 decision {"commit":false}', 'send c1 outcome {"commit":false,"reason":"p2 voted no: funds"}', 'publish',
    ],
  },
  {
    rule: 'presumed abort: a query about a transaction with no record is answered abort',
    before: [START],
    input: msg('p1', { type: 'query', tx: 'never-seen' }),
    commands: ['send p1 decision {"commit":false}'],
  },
  {
    rule: 'planted bug commitBeforeLog: the decision leaves before its record, flushed by a typed timer',
    opts: { bugs: bugs({ commitBeforeLog: true }) },
    before: [...acked, msg('p1', { type: 'vote', tx: 't1', yes: true })],
    input: msg('p2', { type: 'vote', tx: 't1', yes: true }),
    commands: [
      'cancel vote/t1', 'cancel retry/t1', 'log decide commit t1: every participant voted yes',
      'send p1 decision {"commit":true}', 'send p2 decision {"commit":true}', 'timer resend/t1 150000', 'put dec/t1', 'timer flush 20000',
      'send c1 outcome {"commit":true,"reason":"every participant voted yes"}', 'publish',
    ],
  },
];

describe('two-phase commit coordinator: paper rules via step()', () => {
  it.each(coordinatorRules)('$rule', ({ opts, before, input, commands }) => {
    expect(drive<CoordinatorTimer, CoordinatorState>(new Coordinator({ ...CO_OPTS, ...opts }), 'co', [...before, input])).toEqual(commands);
  });
});
