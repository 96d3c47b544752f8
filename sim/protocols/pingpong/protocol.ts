// Ping-pong: the engine's reference workload, and the smallest protocol there
// is. Each node starts with a share of the tokens in flight; every delivery
// makes the receiver pass one token on to a random node. It measures the
// engine, and its scenarios exercise every network and fault behaviour.

import { z } from 'zod';
import type { Message, NodeBehaviour, NodeContext, NodeSpec } from '../../engine/types.ts';
import { defineProtocol } from '../../scenario/protocol.ts';

export interface Token extends Message {
  type: 'token';
}

const TOKEN: Token = Object.freeze({ type: 'token' });

export class PingPongNode implements NodeBehaviour<Token> {
  received = 0;
  constructor(private readonly initialTokens: number) {}

  onStart(ctx: NodeContext<Token>): void {
    for (let i = 0; i < this.initialTokens; i++) ctx.send(ctx.rng.pick(ctx.nodes), TOKEN);
  }

  onRecover(ctx: NodeContext<Token>): void {
    // A restarted node has lost the tokens it held; it starts passing on whatever it gets.
    ctx.log('recovered with no tokens');
  }

  onMessage(ctx: NodeContext<Token>, _from: string, _msg: Token): void {
    this.received++;
    ctx.send(ctx.rng.pick(ctx.nodes), TOKEN);
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
    return { id: `n${i + 1}`, role: 'server', create: () => new PingPongNode(share) };
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

declare module '../../scenario/define.ts' {
  interface ProtocolConfigMap {
    pingpong: z.input<typeof pingpongConfig>;
  }
}
