// Ping-pong: the engine's reference workload, and the smallest protocol there
// is. Each node starts with a share of the tokens in flight; every delivery
// makes the receiver pass one token on to a random node. It measures the
// engine, and its scenarios exercise every network and fault behaviour.
// Written against the public node API (sim/api/node.ts), like every protocol.

import { z } from 'zod';
import type { JsonValue, Message, NodeSpec } from '../../engine/types.ts';
import { nodeSpec, type Io, type ProtocolNode, type Timer } from '../../api/node.ts';
import { defineProtocol } from '../../api/protocol.ts';

export interface Token extends Message {
  type: 'token';
}

const TOKEN: Token = Object.freeze({ type: 'token' });

/** Ping-pong has no timers. */
type NoTimer = Timer & { name: never };

export class PingPongNode implements ProtocolNode<Token, NoTimer, JsonValue> {
  received = 0;
  constructor(private readonly initialTokens: number) {}

  onStart(io: Io<Token, NoTimer, JsonValue>): void {
    for (let i = 0; i < this.initialTokens; i++) io.send(io.rng.pick(io.nodes), TOKEN);
  }

  onRecover(io: Io<Token, NoTimer, JsonValue>): void {
    // A restarted node has lost the tokens it held; it starts passing on whatever it gets.
    io.log('recovered with no tokens');
  }

  onMessage(io: Io<Token, NoTimer, JsonValue>, _from: string, _msg: Token): void {
    this.received++;
    io.send(io.rng.pick(io.nodes), TOKEN);
  }

  onTimer(): void {}
}

export const pingpongConfig = z
  .object({
    nodes: z.number().int().min(1).max(1000).default(5),
    /** Tokens in flight at the start, spread over the nodes (at most 1 M: each is an event in the queue for the whole run). */
    inFlight: z.number().int().min(0).max(1_000_000).default(1000),
  })
  .strict();

export function pingpongNodes(nodes: number, inFlight: number): NodeSpec[] {
  return Array.from({ length: nodes }, (_, i) => {
    const share = Math.floor(inFlight / nodes) + (i < inFlight % nodes ? 1 : 0);
    return nodeSpec(`n${i + 1}`, 'server', () => new PingPongNode(share));
  });
}

export const pingpong = defineProtocol({
  name: 'pingpong',
  description: 'Tokens passed between nodes at random: the engine reference workload',
  configSchema: pingpongConfig,
  build(config) {
    return { nodes: pingpongNodes(config.nodes, config.inFlight), checkers: [] };
  },
});

declare module '../../api/protocol.ts' {
  interface ProtocolConfigMap {
    pingpong: z.input<typeof pingpongConfig>;
  }
}
