// A tiny protocol that storms (test of fuzz()'s refused runs): two servers bounce one `echo` message back and
// forth; a server that restarted after a crash answers every echo twice, so the messages in flight double every
// round trip and the run soon exceeds the engine's event-queue bound (a message storm, not a violation).

import { z } from 'zod';
import type { NodeBehaviour, NodeContext, NodeSpec } from '../../sim/engine/types.ts';
import { defineProtocol } from '../../sim/scenario/protocol.ts';

type EchoMsg = { type: 'echo' };

export const stormConfig = z.object({ servers: z.number().int().min(2).max(5).default(2) }).strict();

class EchoServer implements NodeBehaviour<EchoMsg> {
  private storming = false;
  onStart(ctx: NodeContext<EchoMsg>): void {
    if (ctx.id === 'n1') ctx.send('n2', { type: 'echo' });
  }
  onRecover(ctx: NodeContext<EchoMsg>): void {
    // Restarted: the bounce it held is gone; it starts a new one, and (the storm) answers every echo twice.
    this.storming = true;
    ctx.send(ctx.id === 'n1' ? 'n2' : 'n1', { type: 'echo' });
  }
  onMessage(ctx: NodeContext<EchoMsg>, from: string): void {
    ctx.send(from, { type: 'echo' });
    if (this.storming) ctx.send(from, { type: 'echo' });
  }
  onTimer(): void {}
}

export const storm = defineProtocol({
  name: 'storm',
  description: 'echo servers that answer every message twice after a restart (a message storm)',
  configSchema: stormConfig,
  build: (config) => ({
    nodes: Array.from({ length: config.servers }, (_, i): NodeSpec => ({ id: `n${i + 1}`, role: 'server', create: () => new EchoServer() })),
    checkers: [],
  }),
});
