// Rules of the lock service as tables: the inputs that bring a node to a point,
// one more input, and the exact commands it emits, in order, via step()
// (sim/api/node.ts: one input, no simulation). The order is the rule: the lock
// table is on disk before a grant leaves the server (Chubby; the durable-grants
// property), and the resource fences a stale token off (Kleppmann 2016).

import { describe, expect, it } from 'vitest';
import { step, timerId, type Command, type Input, type JsonValue, type Micros, type ProtocolNode, type Timer } from '../../sim/api/index.ts';
import { rootRng } from '../../sim/engine/random.ts';
import { LockClient, type LockClientOptions, type LockClientTimer } from '../../sim/protocols/lock/client.ts';
import type { LockMessage } from '../../sim/protocols/lock/messages.ts';
import { LockResource } from '../../sim/protocols/lock/resource.ts';
import { LockServer, type LockServerTimer } from '../../sim/protocols/lock/server.ts';

/** One command as a short line: `send c1 lock-reply granted`, `put lock-table`, `fsync`, `timer expire 500000`. */
function line(c: Command<LockMessage, Timer, JsonValue>): string {
  switch (c.kind) {
    case 'send': {
      const m = c.msg;
      const detail = m.type === 'lock-reply' ? ` ${m.reply.kind}` : m.type === 'write-ack' ? ` ${m.ok ? 'ok' : 'rejected'}` : m.type === 'granted' ? ` token ${m.grant.token}` : '';
      return `send ${c.to} ${m.type}${detail}`;
    }
    case 'set-timer':
      return `timer ${timerId(c.timer.name, c.timer.key)} ${c.delay}`;
    case 'cancel-timer':
      return `cancel ${timerId(c.name, c.key)}`;
    case 'put':
      return `put ${c.key}`;
    case 'invoke':
      return `invoke ${c.call.f}`;
    case 'complete':
      return `complete ${c.outcome}`;
    case 'log':
      return `log ${c.text}`;
    default:
      return c.kind;
  }
}

interface Step<T extends Timer> {
  input: Input<LockMessage, T>;
  /** Local clock at this input, µs (default 0). */
  at?: Micros;
}

/** Run steps through a node with step(), keeping its disk, armed timers and op references; return the last step's commands as lines. */
function drive<T extends Timer, P extends JsonValue>(node: ProtocolNode<LockMessage, T, P>, id: string, steps: Step<T>[]): string[] {
  const disk = new Map<string, JsonValue>();
  const armed = new Set<string>();
  const rng = rootRng(id);
  let nextRef = 1;
  let last: Command<LockMessage, T, P>[] = [];
  for (const s of steps) {
    last = step(node, s.input, { id, nodes: ['s1', 'r1', 'c1', 'c2'], rng, disk, armed, now: s.at ?? 0, nextRef });
    for (const c of last) {
      if (c.kind === 'put') disk.set(c.key, c.value);
      else if (c.kind === 'set-timer') armed.add(timerId(c.timer.name, c.timer.key));
      else if (c.kind === 'cancel-timer') armed.delete(timerId(c.name, c.key));
      else if (c.kind === 'invoke') nextRef = c.ref + 1;
    }
  }
  return last.map((c) => line(c as Command<LockMessage, Timer, JsonValue>));
}

const START = { input: { kind: 'start' } } as const;
const msg = (from: string, m: LockMessage, at = 0): Step<never> => ({ input: { kind: 'message', from, msg: m }, at });
const acquire = (session: string, req: number, at = 0): Step<never> => msg(session.split('/')[0] ?? '', { type: 'acquire', req, session, lock: 'L1', ttl: 500_000, wait: true, open: true }, at);

const serverRules: { rule: string; skipFsync?: boolean; steps: Step<LockServerTimer>[]; commands: string[] }[] = [
  {
    rule: 'durable before visible: a grant of a free lock is written and fsynced before the reply leaves; the expiry timer is armed',
    steps: [START, acquire('c1/a', 1, 1000)],
    commands: ['put lock-table', 'fsync', 'send c1 lock-reply granted', 'publish', 'timer expire 500000'],
  },
  {
    rule: 'FIFO: an acquire of a held lock with wait queues the session (made durable too)',
    steps: [START, acquire('c1/a', 1), acquire('c2/b', 1, 10)],
    commands: ['put lock-table', 'fsync', 'send c2 lock-reply queued', 'publish', 'timer expire 499990'],
  },
  {
    rule: 'lease expiry: the expire tick frees the lock, records the release by the holder, and hands it to the first waiter, durably first',
    steps: [START, acquire('c1/a', 1), acquire('c2/b', 1, 10), { input: { kind: 'timer', timer: { name: 'expire' } }, at: 500_000 }],
    commands: ['put lock-table', 'fsync', 'invoke release', 'complete ok', 'log lease of c1/a on L1 (token 1) expired', 'send c2 granted token 2', 'publish', 'timer expire 10'],
  },
  {
    rule: 'planted bug skipFsync: the grant leaves with the table written but not synced (what durable-grants must catch)',
    skipFsync: true,
    steps: [START, acquire('c1/a', 1, 1000)],
    commands: ['put lock-table', 'send c1 lock-reply granted', 'publish', 'timer expire 500000'],
  },
];

describe('lock server: rules via step()', () => {
  it.each(serverRules)('$rule', ({ skipFsync, steps, commands }) => {
    expect(drive(new LockServer({ skipFsync: skipFsync ?? false, expireEarlyBy: 0 }), 's1', steps)).toEqual(commands);
  });
});

const write = (client: string, token: number, seq = 1): Step<never> => msg(client, { type: 'write', lock: 'L1', client, tenure: `${client}/a#${token}`, token, seq, order: token * 100 + seq, value: `${client}:${token}:${seq}` });

const resourceRules: { rule: string; ignoreStaleTokens?: boolean; steps: Step<never>[]; commands: string[] }[] = [
  {
    rule: 'fencing: a higher token is made durable before the write is acknowledged',
    steps: [START, write('c1', 3)],
    commands: ['put highest', 'fsync', 'send c1 write-ack ok', 'publish'],
  },
  {
    rule: 'fencing: a write with a token below the highest accepted is rejected',
    steps: [START, write('c2', 5), write('c1', 3)],
    commands: ['log rejected write 1 of c1: token 3 < highest 5 on L1', 'send c1 write-ack rejected', 'publish'],
  },
  {
    rule: 'planted bug ignoreStaleTokens: the stale write is accepted (what fenced-writes must catch)',
    ignoreStaleTokens: true,
    steps: [START, write('c2', 5), write('c1', 3)],
    commands: ['send c1 write-ack ok', 'publish'],
  },
];

describe('lock resource: rules via step()', () => {
  it.each(resourceRules)('$rule', ({ ignoreStaleTokens, steps, commands }) => {
    expect(drive(new LockResource({ fencing: true, ignoreStaleTokens: ignoreStaleTokens ?? false }), 'r1', steps)).toEqual(commands);
  });
});

const CLIENT: LockClientOptions = { recipe: 'fencing', server: 's1', resource: 'r1', locks: ['L1'], ttl: 500_000, keepAlive: 100_000, margin: 50_000, retry: 50_000, writes: 3, work: 5_000, think: 0, startAfter: 0, cycles: 0, neverRelease: false };

/** The client thinks, asks for L1 (request 1, sent at local time 0), and is granted it with token 7. */
function granted(): Step<LockClientTimer>[] {
  return [
    START,
    { input: { kind: 'timer', timer: { name: 'think' } } },
    { input: { kind: 'message', from: 's1', msg: { type: 'lock-reply', req: 1, session: 'c1/SESSION', reply: { kind: 'granted', grant: { lock: 'L1', session: 'c1/SESSION', token: 7, expiresAt: 500_000 } }, serverTime: 0 } }, at: 1000 },
  ];
}

describe('lock client: rules via step()', () => {
  // The session name is drawn from the client's random stream: learn it from the acquire the client sends.
  function session(): string {
    const c = new LockClient(CLIENT);
    const rng = rootRng('c1');
    step(c, { kind: 'start' }, { id: 'c1', nodes: ['c1'], rng });
    const cmds = step(c, { kind: 'timer', timer: { name: 'think' } }, { id: 'c1', nodes: ['c1'], rng });
    const sent = cmds.find((x) => x.kind === 'send');
    return sent?.kind === 'send' && sent.msg.type === 'acquire' ? sent.msg.session : '';
  }
  const withSession = (steps: Step<LockClientTimer>[]): Step<LockClientTimer>[] =>
    steps.map((s) => (s.input.kind === 'message' ? { ...s, input: { ...s.input, msg: JSON.parse(JSON.stringify(s.input.msg).replaceAll('c1/SESSION', session())) as LockMessage } } : s));

  const rows: { rule: string; steps: Step<LockClientTimer>[]; commands: string[] }[] = [
    {
      rule: 'acquire: the call is recorded in the history, the request sent with a retry timer, the session kept alive',
      steps: [START, { input: { kind: 'timer', timer: { name: 'think' } } }],
      commands: ['invoke acquire', 'send s1 acquire', 'timer retry 50000', 'timer keepalive 100000', 'publish'],
    },
    {
      rule: 'a grant completes the acquire with its token, then the lease is checked at once',
      steps: granted(),
      commands: ['complete ok', 'cancel retry', 'publish', 'timer check 0'],
    },
    {
      rule: 'inside the lease (sent at 0 + ttl − margin = 450 ms) the client works, then writes',
      steps: [...granted(), { input: { kind: 'timer', timer: { name: 'check' } }, at: 449_999 }],
      commands: ['timer write 5000'],
    },
    {
      rule: 'past its lease deadline on its own clock the client gives the critical section up and releases',
      steps: [...granted(), { input: { kind: 'timer', timer: { name: 'check' } }, at: 450_000 }],
      commands: ['log lease deadline passed on L1: giving up the critical section', 'invoke release', 'send s1 release', 'timer retry 50000', 'publish'],
    },
  ];
  it.each(rows)('$rule', ({ steps, commands }) => {
    expect(drive(new LockClient(CLIENT), 'c1', withSession(steps))).toEqual(commands);
  });
});
