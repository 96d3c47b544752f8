// Reliable broadcast, in the style of Maelstrom's broadcast workload (Jepsen's
// "Gossip Glomers", challenge 3): clients send values to any server; every server
// must end up holding every value a server acknowledged, despite lost messages,
// partitions and crashes. Written only against the public API (`faultline`), as a
// user's own protocol would be; a scenario names it by path:
// `protocol: '../protocol.ts'`.
//
// Protocol (each server):
// - `broadcast {value}` from a client: store the value, fsync, reply `broadcast_ok`, and
//   queue the value for every other server.
// - Every `retry` interval, send each peer the values it has not acknowledged yet
//   (`gossip {values}`); a peer stores them (fsync) and replies `gossip_ok {values}`, which
//   removes them from the queue. A value learned by gossip is queued for the other peers too.
// - After a restart, a server reloads its values from disk and queues them all again for
//   every peer (the queue was volatile).
// Planted bug `noRetry`: gossip is sent once, never retried, so a lost message or a
// partition loses the value at that peer for good; `eventual-delivery` catches it.

import { defineProtocol, fc, formatDuration, MS, nodeSpec, positiveDuration, published, SECOND, WHEN_VALID, z, type Checker, type Io, type Message, type ProtocolNode, type SimView } from 'faultline';

type BroadcastMessage =
  | (Message & { type: 'broadcast'; value: number })
  | (Message & { type: 'broadcast_ok'; value: number })
  | (Message & { type: 'gossip'; values: number[] })
  | (Message & { type: 'gossip_ok'; values: number[] });

/** Typed timers: the server's gossip retransmission; the client's next send and its reply timeout. */
type BroadcastTimer = { name: 'retry' } | { name: 'send' } | { name: 'timeout'; value: number };

/** What a server publishes (the viewer's generic panel shows it; the checkers read it). */
export interface ServerState {
  /** Every value held, ascending. */
  values: number[];
  /** Values queued for peers and not yet acknowledged, summed over peers. */
  pending: number;
  [field: string]: number | number[];
}

/** What the client publishes. */
export interface ClientState {
  sent: number;
  acknowledged: number;
  [field: string]: number;
}

type ServerIo = Io<BroadcastMessage, BroadcastTimer, ServerState>;
type ClientIo = Io<BroadcastMessage, BroadcastTimer, ClientState>;

export const broadcastConfig = z
  .object({
    servers: z.number().int().min(1).max(9).default(3),
    /** Values the client broadcasts, one at a time. */
    values: z.number().int().min(0).max(200).default(20),
    /** Time between two broadcasts of the client (after the previous one's reply or timeout). */
    interval: positiveDuration.default(50 * MS),
    /** The client gives up on a broadcast after this long (outcome unknown: `info`). */
    timeout: positiveDuration.default(100 * MS),
    /** Gossip retransmission interval of the servers. */
    retry: positiveDuration.default(40 * MS),
    /** How long after the cluster is whole again (every server up, every link open) every acknowledged value must be everywhere. */
    settle: positiveDuration.default(SECOND),
    bugs: z.object({ noRetry: z.boolean().default(false) }).strict().default({ noRetry: false }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.settle <= c.retry) ctx.addIssue({ code: 'custom', path: ['settle'], message: `expected settle longer than the retry interval (${formatDuration(c.retry)}): delivery needs at least one retransmission` });
  }, WHEN_VALID);

export type BroadcastConfig = z.output<typeof broadcastConfig>;

export class Server implements ProtocolNode<BroadcastMessage, BroadcastTimer, ServerState> {
  private readonly values = new Set<number>();
  /** peer -> values it has not acknowledged. */
  private readonly pending = new Map<string, Set<number>>();

  constructor(
    private readonly config: BroadcastConfig,
    private readonly peers: readonly string[],
  ) {
    for (const p of peers) this.pending.set(p, new Set());
  }

  onStart(io: ServerIo): void {
    if (!this.config.bugs.noRetry) io.setTimer({ name: 'retry' }, this.config.retry);
    this.publish(io);
  }

  onRecover(io: ServerIo): void {
    for (const key of io.keys('v/')) {
      const v = io.read<number>(key);
      if (v === undefined) continue;
      this.values.add(v);
      for (const q of this.pending.values()) q.add(v);
    }
    this.onStart(io);
  }

  onMessage(io: ServerIo, from: string, msg: BroadcastMessage): void {
    switch (msg.type) {
      case 'broadcast':
        this.learn(io, [msg.value], undefined);
        io.send(from, { type: 'broadcast_ok', value: msg.value });
        break;
      case 'gossip':
        this.learn(io, msg.values, from);
        io.send(from, { type: 'gossip_ok', values: msg.values });
        break;
      case 'gossip_ok': {
        const q = this.pending.get(from);
        if (q) for (const v of msg.values) q.delete(v);
        this.publish(io);
        break;
      }
      case 'broadcast_ok':
        break;
    }
  }

  onTimer(io: ServerIo, timer: BroadcastTimer): void {
    if (timer.name !== 'retry') return;
    for (const [peer, q] of this.pending) if (q.size > 0) io.send(peer, { type: 'gossip', values: [...q].sort((a, b) => a - b) });
    io.setTimer({ name: 'retry' }, this.config.retry);
  }

  /** Store new values durably (fsync before any acknowledgement), queue them for every peer but the sender. */
  private learn(io: ServerIo, values: readonly number[], from: string | undefined): void {
    const fresh = values.filter((v) => !this.values.has(v));
    if (fresh.length === 0) return;
    for (const v of fresh) {
      this.values.add(v);
      io.put(`v/${String(v).padStart(6, '0')}`, v);
    }
    io.fsync();
    for (const [peer, q] of this.pending) {
      if (peer === from) continue;
      for (const v of fresh) q.add(v);
      // With the planted bug, gossip goes out once, now, and is never retransmitted.
      if (this.config.bugs.noRetry) io.send(peer, { type: 'gossip', values: fresh });
    }
    this.publish(io);
  }

  private publish(io: ServerIo): void {
    let pending = 0;
    for (const q of this.pending.values()) pending += q.size;
    io.publish({ values: [...this.values].sort((a, b) => a - b), pending });
  }
}

class Client implements ProtocolNode<BroadcastMessage, BroadcastTimer, ClientState> {
  private next = 1;
  private acknowledged = 0;
  private inFlight: { op: number; value: number } | undefined;

  constructor(
    private readonly config: BroadcastConfig,
    private readonly servers: readonly string[],
  ) {}

  onStart(io: ClientIo): void {
    io.setTimer({ name: 'send' }, this.config.interval);
    this.publish(io);
  }

  onMessage(io: ClientIo, _from: string, msg: BroadcastMessage): void {
    if (msg.type !== 'broadcast_ok' || this.inFlight?.value !== msg.value) return;
    io.complete(this.inFlight.op, 'ok');
    this.inFlight = undefined;
    this.acknowledged++;
    io.cancelTimer('timeout');
    io.setTimer({ name: 'send' }, this.config.interval);
    this.publish(io);
  }

  onTimer(io: ClientIo, timer: BroadcastTimer): void {
    if (timer.name === 'timeout') {
      if (this.inFlight?.value !== timer.value) return;
      io.complete(this.inFlight.op, 'info');
      this.inFlight = undefined;
      io.setTimer({ name: 'send' }, this.config.interval);
      return;
    }
    if (timer.name !== 'send' || this.inFlight || this.next > this.config.values) return;
    const value = this.next++;
    const op = io.invoke({ process: io.id, f: 'broadcast', value });
    this.inFlight = { op, value };
    io.send(io.rng.pick(this.servers), { type: 'broadcast', value });
    io.setTimer({ name: 'timeout', value }, this.config.timeout);
    this.publish(io);
  }

  private publish(io: ClientIo): void {
    io.publish({ sent: this.next - 1, acknowledged: this.acknowledged });
  }
}

/** Values a server has published (empty before its first state). */
function heldBy(view: SimView, id: string): ReadonlySet<number> {
  return new Set(published<ServerState>(view, id)?.values ?? []);
}

/** Values whose broadcast a client saw acknowledged, with the true time of the acknowledgement. */
function acknowledged(view: SimView): Map<number, number> {
  const invoked = new Map<number, number>();
  const acked = new Map<number, number>();
  for (const ev of view.history) {
    if (ev.type === 'invoke' && ev.f === 'broadcast' && typeof ev.value === 'number') invoked.set(ev.op, ev.value);
    if (ev.type === 'return' && ev.outcome === 'ok') {
      const v = invoked.get(ev.op);
      if (v !== undefined) acked.set(v, ev.t);
    }
  }
  return acked;
}

/**
 * Safety: a server holds only values some client broadcast (no value made up or corrupted).
 * Reads published state only; incremental (the node that just acted).
 */
function noPhantomValues(config: BroadcastConfig): Checker {
  return {
    name: 'no-phantom-values',
    description: 'a server holds only values a client broadcast',
    when: 'always',
    check(view) {
      const ids = view.actor !== undefined ? [view.actor] : view.nodeIds;
      for (const id of ids) {
        if (view.role(id) !== 'server') continue;
        for (const v of heldBy(view, id)) if (!Number.isInteger(v) || v < 1 || v > config.values) return `${id} holds ${v}, which no client broadcast`;
      }
      return undefined;
    },
  };
}

/**
 * Liveness (Maelstrom's broadcast check): every acknowledged value reaches every server once
 * the cluster has been whole (all servers running, every link between them open) for `settle`
 * after the acknowledgement. Judged at the end of the run; a run whose cluster is not whole
 * long enough at the end makes no claim.
 */
function eventualDelivery(config: BroadcastConfig, servers: readonly string[]): Checker {
  return {
    name: 'eventual-delivery',
    description: `every acknowledged value is at every server ${formatDuration(config.settle)} after the cluster is whole`,
    when: 'final',
    check(view) {
      let whole = 0;
      for (const a of servers) {
        for (const b of servers) {
          if (a === b) continue;
          const since = view.faults.connectedSince(a, b);
          if (since === undefined) return undefined;
          whole = Math.max(whole, since);
        }
        if (servers.length === 1) whole = Math.max(whole, view.faults.runningSince(a) ?? Infinity);
      }
      for (const [value, at] of acknowledged(view)) {
        if (view.now - Math.max(whole, at) < config.settle) continue;
        for (const s of servers) {
          if (!heldBy(view, s).has(value)) return `value ${value}, acknowledged at ${formatDuration(at)}, is missing at ${s} at the end (${formatDuration(view.now)}; the cluster has been whole since ${formatDuration(whole)})`;
        }
      }
      return undefined;
    },
  };
}

const bucket = (n: number): string => (n === 0 ? '0' : n <= 2 ? '1-2' : '3+');

/**
 * Coverage for guided fuzzing (`faultline fuzz`): the shape of the cluster, symmetric in server
 * names, coarse enough for tens of values per run. Per server: down, paused, or up with how far
 * it lags the server holding the most values and whether it still has gossip to retransmit
 * (bucketed: 0, 1-2, 3+); the servers sorted, so n1 lagging and n2 lagging are one state.
 */
export function broadcastAbstractState(view: SimView): string {
  const servers = view.nodeIds.filter((id) => view.role(id) === 'server');
  const held = new Map(servers.map((id) => [id, published<ServerState>(view, id)?.values.length ?? 0]));
  const most = Math.max(0, ...held.values());
  return servers
    .map((id) => {
      if (!view.isUp(id)) return 'down';
      if (view.isPaused(id)) return 'paused';
      return `lag${bucket(most - (held.get(id) ?? 0))}/pend${bucket(published<ServerState>(view, id)?.pending ?? 0)}`;
    })
    .sort()
    .join(' ');
}

export default defineProtocol({
  name: 'broadcast',
  description: 'Reliable broadcast with gossip and retransmission (Maelstrom broadcast)',
  configSchema: broadcastConfig,
  build(config) {
    const servers = Array.from({ length: config.servers }, (_, i) => `n${i + 1}`);
    const nodes = [
      ...servers.map((id) => nodeSpec(id, 'server', () => new Server(config, servers.filter((p) => p !== id)))),
      nodeSpec('c1', 'client', () => new Client(config, servers)),
    ];
    return { nodes, checkers: [noPhantomValues(config), eventualDelivery(config, servers)] };
  },
  abstractState: broadcastAbstractState,
  // Fuzz workload: cluster size and timing knobs (never a planted bug).
  fuzzWorkload: fc.record({ servers: fc.integer({ min: 2, max: 5 }), retry: fc.constantFrom('20ms', '40ms', '80ms'), values: fc.integer({ min: 5, max: 30 }) }),
});
