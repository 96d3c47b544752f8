// The one node shape (sim/api/node.ts): a handler's commands, step() outside a
// simulation, and the generic adapter carrying them out in a run.

import { describe, expect, it } from 'vitest';
import { MAX_COMMANDS_PER_STEP } from '../../sim/api/node.ts';
import { assert, nodeSpec, step, type Io, type Message, type ProtocolNode } from '../../sim/api/index.ts';
import { rootRng } from '../../sim/engine/random.ts';
import { runTraced } from '../engine/harness.ts';

interface Ping extends Message {
  type: 'ping' | 'pong';
  n: number;
}
type T = { name: 'retry'; key: string; attempt: number } | { name: 'tick' };
type S = { pongs: number };

/** Pings every peer; retries a peer (typed timer with a payload) until it answers; persists the count of pongs. */
class Pinger implements ProtocolNode<Ping, T, S> {
  pongs = 0;
  onStart(io: Io<Ping, T, S>): void {
    this.pongs = io.read<number>('pongs') ?? 0;
    for (const peer of io.nodes) if (peer !== io.id) this.ping(io, peer, 1);
  }
  private ping(io: Io<Ping, T, S>, peer: string, attempt: number): void {
    io.send(peer, { type: 'ping', n: attempt });
    io.setTimer({ name: 'retry', key: peer, attempt }, 10_000);
  }
  onMessage(io: Io<Ping, T, S>, from: string, msg: Ping): void {
    if (msg.type === 'ping') return io.send(from, { type: 'pong', n: msg.n });
    io.cancelTimer('retry', from);
    this.pongs++;
    io.put('pongs', this.pongs);
    assert(io.read('pongs') === this.pongs, 'a read sees the same step\'s write');
    io.fsync();
    io.publish({ pongs: this.pongs });
  }
  onTimer(io: Io<Ping, T, S>, timer: T): void {
    if (timer.name === 'retry') this.ping(io, timer.key, timer.attempt + 1);
  }
}

describe('step(): one input, the commands in order', () => {
  it('start pings each peer and arms one typed retry timer per peer', () => {
    const cmds = step(new Pinger(), { kind: 'start' }, { id: 'a', nodes: ['a', 'b', 'c'], rng: rootRng('x') });
    expect(cmds).toEqual([
      { kind: 'send', to: 'b', msg: { type: 'ping', n: 1 } },
      { kind: 'set-timer', timer: { name: 'retry', key: 'b', attempt: 1 }, delay: 10_000 },
      { kind: 'send', to: 'c', msg: { type: 'ping', n: 1 } },
      { kind: 'set-timer', timer: { name: 'retry', key: 'c', attempt: 1 }, delay: 10_000 },
    ]);
  });

  it('a timer input carries its payload back; a pong cancels, writes, syncs and publishes', () => {
    const node = new Pinger();
    expect(step(node, { kind: 'timer', timer: { name: 'retry', key: 'b', attempt: 3 } }, { id: 'a', nodes: ['a', 'b'], rng: rootRng('x') })).toEqual([
      { kind: 'send', to: 'b', msg: { type: 'ping', n: 4 } },
      { kind: 'set-timer', timer: { name: 'retry', key: 'b', attempt: 4 }, delay: 10_000 },
    ]);
    const disk = new Map([['pongs', 5]]);
    node.pongs = 5;
    const cmds = step(node, { kind: 'message', from: 'b', msg: { type: 'pong', n: 4 } }, { id: 'a', nodes: ['a', 'b'], rng: rootRng('x'), disk });
    expect(cmds.map((c) => c.kind)).toEqual(['cancel-timer', 'put', 'fsync', 'publish']);
    expect(disk.get('pongs')).toBe(5); // step() never modifies the given disk
  });

  it('rejects a negative or fractional delay', () => {
    const bad: ProtocolNode<Ping, T, S> = { onStart: (io) => io.setTimer({ name: 'tick' }, -1), onMessage() {}, onTimer() {} };
    expect(() => step(bad, { kind: 'start' }, { id: 'a', nodes: ['a'], rng: rootRng('x') })).toThrow(/non-negative integer/);
  });
});

describe('the adapter in a run', () => {
  it('typed timers fire with their payload, retries stop when answered, and state survives a restart from the synced disk', () => {
    const nodes = ['a', 'b', 'c'].map((id) => nodeSpec(id, 'server', () => new Pinger()));
    const run = runTraced({ nodes, until: 200_000, faults: [
      { at: 0, kind: 'partition', groups: [['a'], ['b', 'c']] },
      { at: 35_000, kind: 'heal' },
      { at: 100_000, kind: 'crash', node: 'a' },
      { at: 110_000, kind: 'restart', node: 'a' },
    ] });
    const timers = run.events.filter((e) => e.type === 'timer' && e.node === 'a');
    // a retried b and c while cut off, with one timer identity per peer
    expect(new Set(timers.map((e) => (e.type === 'timer' ? e.name : '')))).toEqual(new Set(['retry/b', 'retry/c']));
    expect(run.violations).toEqual([]);
    const lastA = run.events.filter((e) => e.type === 'state' && e.node === 'a').at(-1);
    // 2 pongs before the crash, read back from the disk after the restart, 2 more after it
    expect(lastA).toMatchObject({ state: { pongs: 4 } });
  });

  it('a handler that throws applies none of its commands and is recorded as an assertion', () => {
    const spec = nodeSpec('a', 'server', (): ProtocolNode<Ping, T, S> => ({
      onStart(io) {
        io.send('b', { type: 'ping', n: 1 });
        io.publish({ pongs: 0 });
        assert(false, 'broken on purpose');
      },
      onMessage() {},
      onTimer() {},
    }));
    const run = runTraced({ nodes: [spec, nodeSpec('b', 'server', () => new Pinger())], until: 1000 });
    expect(run.events.some((e) => e.type === 'send' && e.from === 'a')).toBe(false);
    expect(run.events.some((e) => e.type === 'state' && e.node === 'a')).toBe(false);
    expect(run.violations.map((v) => v.invariant)).toContain('assertion');
  });
});

describe('bounds', () => {
  it('a step that emits more than MAX_COMMANDS_PER_STEP commands fails an assertion instead of growing without end', () => {
    const flood: ProtocolNode<Ping, T, S> = {
      onStart: (io) => {
        for (;;) io.log('again');
      },
      onMessage: () => undefined,
      onTimer: () => undefined,
    };
    expect(() => step(flood, { kind: 'start' }, { id: 'a', nodes: ['a'], rng: rootRng('x') })).toThrow(`a: more than ${MAX_COMMANDS_PER_STEP} commands in one step`);
    const r = runTraced({ nodes: [nodeSpec('a', 'server', () => flood)], until: 10 });
    expect(r.violations.map((v) => v.invariant)).toEqual(['assertion']);
  });
});
