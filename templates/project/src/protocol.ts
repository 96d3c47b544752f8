// A tiny protocol to start from: a client writes the values 1, 2, 3, ... to a storage server,
// one at a time, retrying until each is acknowledged. The server makes each value durable
// (write + fsync) before it acknowledges it, so an acknowledged write survives a crash.
//
// Planted bug `skipFsync`: the server acknowledges before the write is durable; a crash then
// loses acknowledged writes. `npx faultline fuzz scenarios/basic.ts --bug skipFsync` finds it.
//
// Every node is a sans-IO state machine (ProtocolNode): a handler reads its input and emits
// commands through `io` (send, timers, disk, client history, publish). See
// node_modules/faultline/docs/write-your-own-protocol.md.

import { defineProtocol, fc, MS, nodeSpec, positiveDuration, published, z, type Checker, type Io, type ProtocolNode, type SimView } from 'faultline';

type Msg = { type: 'write'; value: number } | { type: 'ack'; value: number };
type Timer = { name: 'retry'; value: number } | { name: 'next' };

/** What the server publishes: the highest value stored (values arrive in order). */
export type ServerState = { stored: number };
/** What the client publishes. */
export type ClientState = { acknowledged: number };

export const config = z
  .object({
    /** Values the client writes. */
    writes: z.number().int().min(0).max(1000).default(50),
    /** The client resends an unacknowledged write after this long. */
    retry: positiveDuration.default(20 * MS),
    /** Pause between two writes. */
    think: positiveDuration.default(10 * MS),
    bugs: z.object({ skipFsync: z.boolean().default(false) }).strict().default({ skipFsync: false }),
  })
  .strict();
type Config = z.output<typeof config>;

export class Server implements ProtocolNode<Msg, Timer, ServerState> {
  private stored = 0;
  constructor(private readonly cfg: Config) {}

  onStart(io: Io<Msg, Timer, ServerState>): void {
    io.publish({ stored: this.stored });
  }

  onRecover(io: Io<Msg, Timer, ServerState>): void {
    this.stored = io.read<number>('stored') ?? 0; // only what was fsynced survived the crash
    io.publish({ stored: this.stored });
  }

  onMessage(io: Io<Msg, Timer, ServerState>, from: string, msg: Msg): void {
    if (msg.type !== 'write') return;
    if (msg.value === this.stored + 1) {
      this.stored = msg.value;
      io.put('stored', this.stored);
      if (!this.cfg.bugs.skipFsync) io.fsync();
      io.publish({ stored: this.stored });
    }
    if (msg.value <= this.stored) io.send(from, { type: 'ack', value: msg.value });
  }

  onTimer(): void {}
}

export class Client implements ProtocolNode<Msg, Timer, ClientState> {
  private acknowledged = 0;
  private op: number | undefined;
  constructor(private readonly cfg: Config) {}

  onStart(io: Io<Msg, Timer, ClientState>): void {
    io.setTimer({ name: 'next' }, this.cfg.think);
  }

  onMessage(io: Io<Msg, Timer, ClientState>, _from: string, msg: Msg): void {
    if (msg.type !== 'ack' || msg.value !== this.acknowledged + 1 || this.op === undefined) return;
    io.complete(this.op, 'ok');
    this.op = undefined;
    this.acknowledged = msg.value;
    io.cancelTimer('retry');
    io.publish({ acknowledged: this.acknowledged });
    io.setTimer({ name: 'next' }, this.cfg.think);
  }

  onTimer(io: Io<Msg, Timer, ClientState>, timer: Timer): void {
    const value = this.acknowledged + 1;
    if (timer.name === 'next') {
      if (value > this.cfg.writes) return;
      this.op = io.invoke({ process: io.id, f: 'write', value });
    }
    io.send('s1', { type: 'write', value });
    io.setTimer({ name: 'retry', value }, this.cfg.retry);
  }
}

/** Safety: the server never holds less than the client saw acknowledged. Reads published state only. */
const acknowledgedWritesSurvive: Checker = {
  name: 'acknowledged-writes-survive',
  description: 'every acknowledged write is still stored at the server',
  when: 'always',
  check(view) {
    const acked = published<ClientState>(view, 'c1')?.acknowledged ?? 0;
    const stored = published<ServerState>(view, 's1')?.stored ?? 0;
    return stored < acked ? `the client saw ${acked} acknowledged, but the server holds only ${stored}` : undefined;
  },
};

/**
 * Coverage for guided fuzzing: the shape of the run, a short string (tens of values per run,
 * not thousands). Guided `faultline fuzz` keeps the runs that reach a new one and mutates them.
 */
function abstractState(view: SimView): string {
  const server = !view.isUp('s1') ? 'down' : view.isPaused('s1') ? 'paused' : 'up';
  const stored = published<ServerState>(view, 's1')?.stored ?? 0;
  const acked = published<ClientState>(view, 'c1')?.acknowledged ?? 0;
  return `${server} ${stored > acked ? 'ack-in-flight' : 'caught-up'}`;
}

export default defineProtocol({
  name: 'durable-writes',
  description: 'A client writes values to a server that acknowledges each once it is durable',
  configSchema: config,
  build(cfg) {
    return {
      nodes: [nodeSpec('s1', 'server', () => new Server(cfg)), nodeSpec('c1', 'client', () => new Client(cfg))],
      checkers: [acknowledgedWritesSurvive],
    };
  },
  abstractState,
  fuzzWorkload: fc.record({ writes: fc.integer({ min: 5, max: 80 }), think: fc.constantFrom('1ms', '10ms', '30ms') }),
});
