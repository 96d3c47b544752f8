// Ping-pong: the engine's reference workload, and the smallest protocol there
// is. Each node starts with a share of the tokens in flight; every delivery
// makes the receiver pass one token on to a random node. It measures the
// engine, and its scenarios exercise every network and fault behaviour.
// Two opt-in options (off by default, so the engine's reference workload and
// its benchmarks are unchanged) keep a faulted cluster busy: `resend`, a node
// that received no token for that long passes a fresh one on (replacing tokens
// lost to drops and crashes, so traffic outlives a partition or a loss burst);
// `durable`, each node fsyncs its count of tokens received (key `received`)
// and reads it back after a restart (a record that fails its checksum is
// logged and the count starts again from 0), so crashes and disk corruption
// have something to hit.
// Written against the public node API (sim/api/node.ts), like every protocol.

import { z } from 'zod';
import type { JsonValue, Message, NodeSpec } from '../../engine/types.ts';
import { nodeSpec, type Io, type ProtocolNode } from '../../api/node.ts';
import { defineProtocol } from '../../api/protocol.ts';
import { duration } from '../../api/durations.ts';

export interface Token extends Message {
  type: 'token';
}

const TOKEN: Token = Object.freeze({ type: 'token' });

/** Ping-pong's one timer, armed only with `resend`: no token received for that long. */
export type PingPongTimer = { name: 'idle' };

export interface PingPongOptions {
  /** µs without a token after which a node passes a fresh one on; 0: never. */
  resend: number;
  /** Fsync the count of tokens received and read it back after a restart. */
  durable: boolean;
}

const DEFAULT_OPTIONS: PingPongOptions = { resend: 0, durable: false };

type Ctx = Io<Token, PingPongTimer, JsonValue>;

export class PingPongNode implements ProtocolNode<Token, PingPongTimer, JsonValue> {
  received = 0;
  constructor(
    private readonly initialTokens: number,
    private readonly options: PingPongOptions = DEFAULT_OPTIONS,
  ) {}

  onStart(io: Ctx): void {
    for (let i = 0; i < this.initialTokens; i++) io.send(io.rng.pick(io.nodes), TOKEN);
    this.armIdle(io);
  }

  onRecover(io: Ctx): void {
    // A restarted node has lost the tokens it held; it starts passing on whatever it gets.
    io.log('recovered with no tokens');
    if (this.options.durable) {
      try {
        this.received = io.read<number>('received') ?? 0;
      } catch (err) {
        if (!(err instanceof Error && err.name === 'DiskCorruptionError')) throw err;
        io.log('count of tokens received failed its checksum: starting from 0');
        this.received = 0;
      }
    }
    this.armIdle(io);
  }

  onMessage(io: Ctx, _from: string, _msg: Token): void {
    this.received++;
    if (this.options.durable) {
      io.put('received', this.received);
      io.fsync();
    }
    io.send(io.rng.pick(io.nodes), TOKEN);
    this.armIdle(io);
  }

  onTimer(io: Ctx): void {
    // No token for `resend`: the ones that came this way were lost; put a fresh one in play.
    io.send(io.rng.pick(io.nodes), TOKEN);
    this.armIdle(io);
  }

  private armIdle(io: Ctx): void {
    if (this.options.resend > 0) io.setTimer({ name: 'idle' }, this.options.resend);
  }
}

export const pingpongConfig = z
  .object({
    nodes: z.number().int().min(1).max(1000).default(5),
    /** Tokens in flight at the start, spread over the nodes (at most 1 M: each is an event in the queue for the whole run). */
    inFlight: z.number().int().min(0).max(1_000_000).default(1000),
    /** A node that received no token for this long passes a fresh one on (a duration: "20ms" or µs); 0 (default): never. */
    resend: duration.default(0),
    /** Each node fsyncs its count of tokens received and reads it back after a restart (default false). */
    durable: z.boolean().default(false),
  })
  .strict();

export function pingpongNodes(nodes: number, inFlight: number, options: PingPongOptions = DEFAULT_OPTIONS): NodeSpec[] {
  return Array.from({ length: nodes }, (_, i) => {
    const share = Math.floor(inFlight / nodes) + (i < inFlight % nodes ? 1 : 0);
    return nodeSpec(`n${i + 1}`, 'server', () => new PingPongNode(share, options));
  });
}

export const pingpong = defineProtocol({
  name: 'pingpong',
  description: 'Tokens passed between nodes at random: the engine reference workload',
  configSchema: pingpongConfig,
  build(config) {
    return { nodes: pingpongNodes(config.nodes, config.inFlight, { resend: config.resend, durable: config.durable }), checkers: [] };
  },
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    pingpong: z.input<typeof pingpongConfig>;
  }
}
