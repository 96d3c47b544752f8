// Rules of the ring cluster as tables: the inputs that bring a node to a point,
// one more input, and the exact commands it emits, in order, via step()
// (sim/api/node.ts: one input, no simulation). Three servers, N = W = 3, so
// every key's preference list is the whole ring (only its order depends on the
// hash, and the tables ask the placement for it).

import { describe, expect, it } from 'vitest';
import { step, timerId, type Command, type Input, type JsonValue, type Micros, type ProtocolNode, type Timer } from '../../sim/api/index.ts';
import { rootRng } from '../../sim/engine/random.ts';
import { RingClient, type RingClientTimer } from '../../sim/protocols/ring/client.ts';
import type { RingMessage, RingView } from '../../sim/protocols/ring/messages.ts';
import type { RetransmitTimer } from '../../sim/protocols/ring/outbox.ts';
import { Placement } from '../../sim/protocols/ring/placement.ts';
import { StorageNode, type ServerBugs } from '../../sim/protocols/ring/server.ts';

/** One command as a short line: `send n2 replicated`, `put k/k1`, `fsync`, `timer retransmit 25000`. */
function line(c: Command<RingMessage, Timer, JsonValue>): string {
  switch (c.kind) {
    case 'send':
      return `send ${c.to} ${c.msg.type}`;
    case 'set-timer':
      return `timer ${timerId(c.timer.name, c.timer.key)} ${c.delay}`;
    case 'cancel-timer':
      return `cancel ${timerId(c.name, c.key)}`;
    case 'put':
    case 'delete':
      return `${c.kind} ${c.key}`;
    case 'invoke':
      return `invoke ${c.call.f}`;
    case 'complete':
      return `complete ${c.outcome}`;
    default:
      return c.kind;
  }
}

/** Run inputs through a node with step(), keeping its disk, armed timers and op references; return the last step's commands as lines. */
function drive<T extends Timer, P extends JsonValue>(node: ProtocolNode<RingMessage, T, P>, id: string, inputs: Input<RingMessage, T>[], now: Micros = 0): string[] {
  const disk = new Map<string, JsonValue>();
  const armed = new Set<string>();
  const rng = rootRng(id);
  let nextRef = 1;
  let last: Command<RingMessage, T, P>[] = [];
  for (const input of inputs) {
    last = step(node, input, { id, nodes: ['n1', 'n2', 'n3', 'cm', 'c1'], rng, disk, armed, now, nextRef });
    for (const c of last) {
      if (c.kind === 'put') disk.set(c.key, c.value);
      else if (c.kind === 'delete') disk.delete(c.key);
      else if (c.kind === 'set-timer') armed.add(timerId(c.timer.name, c.timer.key));
      else if (c.kind === 'cancel-timer') armed.delete(timerId(c.name, c.key));
      else if (c.kind === 'invoke') nextRef = c.ref + 1;
    }
  }
  return last.map((c) => line(c as Command<RingMessage, Timer, JsonValue>));
}

const placement = new Placement({ mode: 'native', vnodes: 160, replicas: 3 });
const ringOf = (version: number): RingView => ({ version, members: ['n1', 'n2', 'n3'].map((id) => ({ id, weight: 1 })) });
const NO_BUGS: ServerBugs = { dropKeysOnLeave: false, serveBeforeHandoff: false, staleRouting: false, keepHandedOffKeys: false, neverReportDone: false, readOneCopy: false };
const server = (version: number): StorageNode =>
  new StorageNode({ placement, writeQuorum: 3, initial: ringOf(version), preload: [], coordinator: 'cm', retransmit: 25_000, handoffBatch: 16, bugs: NO_BUGS });
const START = { kind: 'start' } as const;
const msg = (from: string, m: RingMessage): Input<RingMessage, never> => ({ kind: 'message', from, msg: m });

const serverRules: { rule: string; version: number; inputs: Input<RingMessage, RetransmitTimer>[]; commands: string[] }[] = [
  {
    rule: 'fencing: a replica refuses a write routed by an older ring than its own',
    version: 2,
    inputs: [START, msg('n2', { type: 'replicate', rid: 'n2/1/0', wid: 'n2/0', key: 'k1', element: 'c1-0', rv: 1 })],
    commands: ['send n2 reject'],
  },
  {
    rule: 'a replica stores and fsyncs the element before it answers replicated',
    version: 1,
    inputs: [START, msg('n2', { type: 'replicate', rid: 'n2/1/0', wid: 'n2/0', key: 'k1', element: 'c1-0', rv: 1 })],
    commands: ['put k/k1', 'fsync', 'publish', 'send n2 replicated'],
  },
  {
    rule: 'a client request routed by an older ring is redirected with the server\'s ring',
    version: 2,
    inputs: [START, msg('c1', { type: 'req', id: 'c1/0', op: 'add', key: 'k1', element: 'c1-0', rv: 1 })],
    commands: ['send c1 redirect'],
  },
  {
    rule: 'writes wait until the new ring is active (every member of old and new ring adopted it)',
    version: 2,
    inputs: [START, msg('c1', { type: 'req', id: 'c1/0', op: 'add', key: 'k1', element: 'c1-0', rv: 2 })],
    commands: ['send c1 retry'],
  },
  {
    rule: 'an add is stored and fsynced, then sent reliably to the other replicas (one re-send timer for all)',
    version: 1,
    inputs: [START, msg('c1', { type: 'req', id: 'c1/0', op: 'add', key: 'k1', element: 'c1-0', rv: 1 })],
    commands: ['put k/k1', 'fsync', 'publish', ...placement.preferenceList(ringOf(1), 'k1').filter((n) => n !== 'n1').flatMap((n, i) => (i === 0 ? [`send ${n} replicate`, 'timer retransmit 25000'] : [`send ${n} replicate`]))],
  },
  {
    rule: 'an activation of a ring the server does not hold yet is not acknowledged (it comes again after the ring-update)',
    version: 1,
    inputs: [START, msg('cm', { type: 'ring-active', rid: 'cm/1/0', version: 2 })],
    commands: [],
  },
  {
    rule: 'an activation of the ring the server holds is persisted, then acknowledged',
    version: 2,
    inputs: [START, msg('cm', { type: 'ring-active', rid: 'cm/1/0', version: 2 })],
    commands: ['put meta/active', 'fsync', 'send cm ack'],
  },
];

describe('ring storage node: rules via step()', () => {
  it.each(serverRules)('$rule', ({ version, inputs, commands }) => {
    expect(drive(server(version), 'n1', inputs)).toEqual(commands);
  });
});

const client = (): RingClient =>
  new RingClient({ placement, initial: ringOf(1), keys: ['k1'], readRatio: 0, thinkTime: 10_000, requestTimeout: 100_000, retryDelay: 20_000, maxAttempts: 2, until: 1_000_000 });
const NEXT: Input<RingMessage, RingClientTimer> = { kind: 'timer', timer: { name: 'next' } };
const TIMEOUT: Input<RingMessage, RingClientTimer> = { kind: 'timer', timer: { name: 'timeout' } };
const [first, second] = placement.preferenceList(ringOf(1), 'k1');
const [firstUnder2] = placement.preferenceList(ringOf(2), 'k1');

const clientRules: { rule: string; inputs: Input<RingMessage, RingClientTimer>[]; commands: string[] }[] = [
  {
    rule: 'an add is recorded in the history and sent to the first member of the key\'s preference list',
    inputs: [START, NEXT],
    commands: ['invoke add', 'cancel timeout', 'cancel backoff', `send ${first} req`, 'timer timeout 100000'],
  },
  {
    rule: 'redirect: the client adopts the newer ring and resends at once to the owner under it',
    inputs: [START, NEXT, msg(first ?? '', { type: 'redirect', id: 'c1/0', ring: ringOf(2) })],
    commands: ['cancel timeout', 'cancel backoff', `send ${firstUnder2} req`, 'timer timeout 100000'],
  },
  {
    rule: 'retry: the client waits retryDelay and asks again',
    inputs: [START, NEXT, msg(first ?? '', { type: 'retry', id: 'c1/0', reason: 'not now' })],
    commands: ['cancel timeout', 'timer backoff 20000'],
  },
  {
    rule: 'no answer: the client fails over to the next member of the list',
    inputs: [START, NEXT, TIMEOUT],
    commands: ['cancel timeout', 'cancel backoff', `send ${second} req`, 'timer timeout 100000'],
  },
  {
    rule: 'after maxAttempts an add completes as info (unknown: it may have happened)',
    inputs: [START, NEXT, TIMEOUT, TIMEOUT],
    commands: ['cancel timeout', 'cancel backoff', 'cancel timeout', 'cancel backoff', 'complete info', 'timer next 10000'],
  },
];

describe('ring client: rules via step()', () => {
  it.each(clientRules)('$rule', ({ inputs, commands }) => {
    expect(drive(client(), 'c1', inputs)).toEqual(commands);
  });
});
