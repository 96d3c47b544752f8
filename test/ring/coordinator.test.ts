// The membership coordinator rule by rule, driven through a fake Io:
// what it sends at each step of a change, what it waits for, and that it picks
// up where it was after a restart.

import { describe, expect, it } from 'vitest';
import { timerId, type Io, type JsonValue } from '../../sim/api/index.ts';
import { Coordinator, type MembershipChange, type RingCoordinatorTimer } from '../../sim/protocols/ring/coordinator.ts';
import type { RingMessage, RingView } from '../../sim/protocols/ring/messages.ts';
import type { RingCoordinatorState } from '../../sim/protocols/ring/state.ts';

class FakeDisk {
  data = new Map<string, JsonValue>();
  get<T extends JsonValue>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  put(key: string, value: JsonValue): void {
    this.data.set(key, JSON.parse(JSON.stringify(value)) as JsonValue);
  }
  delete(key: string): void {
    this.data.delete(key);
  }
  fsync(): void {}
  keys(prefix = ''): string[] {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}

function fakeContext(disk = new FakeDisk()) {
  const sent: { to: string; msg: RingMessage }[] = [];
  const timers = new Map<string, number>();
  const published: RingCoordinatorState[] = [];
  let now = 0;
  const ctx: Io<RingMessage, RingCoordinatorTimer, RingCoordinatorState> = {
    id: 'cm',
    nodes: [],
    now: () => now,
    rng: undefined as never,
    read: (key) => disk.get(key),
    keys: (prefix) => disk.keys(prefix),
    timerArmed: (name, key) => timers.has(timerId(name, key)),
    send: (to, msg) => void sent.push({ to, msg }),
    broadcast: () => {},
    setTimer: (timer, delay) => void timers.set(timer.name, delay),
    cancelTimer: (name, key) => void timers.delete(timerId(name, key)),
    put: (key, value) => disk.put(key, value),
    delete: (key) => disk.delete(key),
    fsync: () => {},
    invoke: () => 0,
    complete: () => {},
    publish: (s) => void published.push(s),
    log: () => {},
  };
  return { ctx, sent, timers, published, disk, setNow: (t: number) => (now = t) };
}

const initial: RingView = { version: 1, members: ['n1', 'n2', 'n3'].map((id) => ({ id, weight: 1 })) };
const servers = ['n1', 'n2', 'n3', 'n4'];
const changes: MembershipChange[] = [
  { at: 100, join: 'n4' },
  { at: 200, leave: 'n1' },
];
const make = () => new Coordinator({ initial, servers, changes, retransmit: 25 });
const ofType = <T extends RingMessage['type']>(sent: { to: string; msg: RingMessage }[], type: T) =>
  sent.filter((s) => s.msg.type === type) as { to: string; msg: Extract<RingMessage, { type: T }> }[];

describe('Coordinator', () => {
  it('arms a timer for the first change and sends nothing before it is due', () => {
    const f = fakeContext();
    make().onStart(f.ctx);
    expect(f.timers.get('change')).toBe(100);
    expect(f.sent).toEqual([]);
    expect(f.published.at(-1)).toEqual({ ringVersion: 1, members: initial.members, settled: true, waitingFor: [], queued: 2 });
  });

  it('step 1: a due change sends ring-update with the old and new ring to every server', () => {
    const f = fakeContext();
    const c = make();
    c.onStart(f.ctx);
    f.setNow(100);
    c.onTimer(f.ctx, { name: 'change' });
    const updates = ofType(f.sent, 'ring-update');
    expect(updates.map((u) => u.to)).toEqual(servers);
    for (const u of updates) {
      expect(u.msg.prev).toEqual(initial);
      expect(u.msg.ring).toEqual({ version: 2, members: [...initial.members, { id: 'n4', weight: 1 }] });
    }
    expect(f.published.at(-1)).toMatchObject({ ringVersion: 2, settled: false, waitingFor: ['n1', 'n2', 'n3', 'n4'], queued: 1 });
    expect(f.timers.has('retransmit')).toBe(true);
  });

  it('step 2: ring-active only once every member of both rings acknowledged; step 3: settled once all report done; then the next change', () => {
    const f = fakeContext();
    const c = make();
    c.onStart(f.ctx);
    f.setNow(250); // both changes are due; they still go one at a time
    c.onTimer(f.ctx, { name: 'change' });
    const updates = ofType(f.sent, 'ring-update');
    // A done report may come before all acks: it is remembered.
    c.onMessage(f.ctx, 'n2', { type: 'handoff-done', rid: 'n2/1/9', version: 2 });
    expect(f.sent.at(-1)).toEqual({ to: 'n2', msg: { type: 'ack', rid: 'n2/1/9' } });
    for (const u of updates.slice(0, 3)) c.onMessage(f.ctx, u.to, { type: 'ack', rid: u.msg.rid });
    expect(ofType(f.sent, 'ring-active')).toEqual([]);
    c.onMessage(f.ctx, 'n4', { type: 'ack', rid: updates[3]!.msg.rid });
    expect(ofType(f.sent, 'ring-active').map((a) => [a.to, a.msg.version])).toEqual(servers.map((s) => [s, 2]));
    expect(f.published.at(-1)).toMatchObject({ settled: false, waitingFor: ['n1', 'n3', 'n4'] });
    // A report for another version changes nothing.
    c.onMessage(f.ctx, 'n1', { type: 'handoff-done', rid: 'n1/1/3', version: 1 });
    expect(f.published.at(-1)).toMatchObject({ waitingFor: ['n1', 'n3', 'n4'] });
    for (const n of ['n1', 'n3']) c.onMessage(f.ctx, n, { type: 'handoff-done', rid: `${n}/1/0`, version: 2 });
    expect(ofType(f.sent, 'ring-update').length).toBe(4);
    c.onMessage(f.ctx, 'n4', { type: 'handoff-done', rid: 'n4/1/0', version: 2 });
    // Settled: the leave starts at once, with ring 2 as its previous ring.
    const next = ofType(f.sent, 'ring-update').slice(4);
    expect(next.map((u) => [u.to, u.msg.prev.version, u.msg.ring.version, u.msg.ring.members.map((m) => m.id).join(',')])).toEqual(servers.map((s) => [s, 2, 3, 'n2,n3,n4']));
  });

  it('after a restart, resends the ring-update of an unfinished change (with new rids) and keeps its progress', () => {
    const f = fakeContext();
    const c = make();
    c.onStart(f.ctx);
    f.setNow(100);
    c.onTimer(f.ctx, { name: 'change' });
    const first = ofType(f.sent, 'ring-update');
    c.onMessage(f.ctx, 'n1', { type: 'ack', rid: first[0]!.msg.rid });
    // Crash: a fresh instance over the same disk.
    const g = fakeContext(f.disk);
    g.setNow(150);
    const again = make();
    again.onRecover(g.ctx);
    const resent = ofType(g.sent, 'ring-update');
    expect(resent.map((u) => u.to)).toEqual(servers);
    expect(resent.every((u) => !first.some((o) => o.msg.rid === u.msg.rid))).toBe(true);
    expect(g.published.at(-1)).toMatchObject({ ringVersion: 2, settled: false, waitingFor: ['n2', 'n3', 'n4'] });
  });
  // A server that is not a member of either ring of a change (one that left earlier, a spare) is
  // not waited for; if the coordinator crashes before it acknowledged the ring-update, only a
  // re-send after the restart makes it adopt the ring. Found by fuzzing (scenarios/ring-coordinator-restart-resends-ring.json).
  it.each([
    { phase: 'migrating', acks: 4, done: [] as string[], active: true },
    { phase: 'settled', acks: 4, done: ['n1', 'n2', 'n3', 'n4'], active: true },
    { phase: 'adopting', acks: 3, done: [] as string[], active: false },
  ])('after a restart while $phase, resends the current ring to every server (and its activation once active)', ({ phase, acks, done, active }) => {
    const f = fakeContext();
    const c = make();
    c.onStart(f.ctx);
    f.setNow(150);
    c.onTimer(f.ctx, { name: 'change' });
    const updates = ofType(f.sent, 'ring-update');
    for (const u of updates.slice(0, acks)) c.onMessage(f.ctx, u.to, { type: 'ack', rid: u.msg.rid });
    for (const n of done) c.onMessage(f.ctx, n, { type: 'handoff-done', rid: `${n}/1/0`, version: 2 });
    expect(c.rec.phase).toBe(phase);
    const g = fakeContext(f.disk);
    g.setNow(160);
    new Coordinator({ initial, servers, changes, retransmit: 25 }).onRecover(g.ctx);
    expect(ofType(g.sent, 'ring-update').map((u) => [u.to, u.msg.ring.version, u.msg.prev.version])).toEqual(servers.map((s) => [s, 2, 1]));
    expect(ofType(g.sent, 'ring-active').map((a) => [a.to, a.msg.version])).toEqual(active ? servers.map((s) => [s, 2]) : []);
  });

  it('after a restart before any change, sends nothing', () => {
    const f = fakeContext();
    make().onStart(f.ctx);
    const g = fakeContext(f.disk);
    make().onRecover(g.ctx);
    expect(g.sent).toEqual([]);
  });
});
