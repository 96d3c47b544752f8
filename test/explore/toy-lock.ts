// A toy lock for explorer tests: clients p1, p2 each ask server s for the lock
// once (on their 'try' timer). The correct server grants on `acquire` only when
// the lock is free. Planted bug `checkThenAct`: the client asks whether the lock
// is free, then takes it with a second message, and the server does not check
// again: two clients that both heard "free" both hold it. Checker
// `mutual-exclusion` ('always'): at most one client holds the lock.

import { z } from 'zod';
import type { Checker, NodeBehaviour, NodeContext, NodeSpec } from '../../sim/engine/types.ts';
import { defineProtocol } from '../../sim/scenario/protocol.ts';
import type * as Registry from '../../sim/protocols/registry.ts';

type Msg = { type: 'acquire' } | { type: 'check' } | { type: 'take' } | { type: 'free' } | { type: 'busy' } | { type: 'granted' };

const config = z
  .object({
    clients: z.number().int().min(1).max(4).default(2),
    bugs: z.object({ checkThenAct: z.boolean().default(false) }).strict().default({ checkThenAct: false }),
  })
  .strict();

class Server implements NodeBehaviour<Msg> {
  holder: string | null = null;
  constructor(private readonly bug: boolean) {}
  onStart(ctx: NodeContext<Msg>): void {
    ctx.publish({ holder: this.holder });
  }
  onMessage(ctx: NodeContext<Msg>, from: string, msg: Msg): void {
    if (msg.type === 'check') ctx.send(from, { type: this.holder === null ? 'free' : 'busy' });
    if (msg.type === 'take' && this.bug) {
      this.holder = from;
      ctx.send(from, { type: 'granted' });
    }
    if (msg.type === 'acquire') {
      if (this.holder === null) this.holder = from;
      ctx.send(from, { type: this.holder === from ? 'granted' : 'busy' });
    }
    ctx.publish({ holder: this.holder });
  }
  onTimer(): void {}
}

class Client implements NodeBehaviour<Msg> {
  holding = false;
  constructor(private readonly bug: boolean) {}
  onStart(ctx: NodeContext<Msg>): void {
    ctx.setTimer('try', 1000);
    ctx.publish({ holding: false });
  }
  onMessage(ctx: NodeContext<Msg>, _from: string, msg: Msg): void {
    if (msg.type === 'free') ctx.send('s', { type: 'take' });
    if (msg.type === 'granted') this.holding = true;
    ctx.publish({ holding: this.holding });
  }
  onTimer(ctx: NodeContext<Msg>): void {
    ctx.send('s', { type: this.bug ? 'check' : 'acquire' });
  }
}

export const toyLock = defineProtocol({
  name: 'toy-lock',
  description: 'test-only lock with a check-then-act bug',
  configSchema: config,
  build(c) {
    const clients = Array.from({ length: c.clients }, (_, i) => `p${i + 1}`);
    const nodes: NodeSpec[] = [
      { id: 's', role: 'server', create: () => new Server(c.bugs.checkThenAct) },
      ...clients.map((id) => ({ id, role: 'client', create: () => new Client(c.bugs.checkThenAct) })),
    ];
    const mutex: Checker = {
      name: 'mutual-exclusion',
      description: 'at most one client holds the lock',
      when: 'always',
      check(view) {
        const holders = clients.filter((id) => (view.published(id) as { holding?: boolean } | undefined)?.holding === true);
        return holders.length > 1 ? `${holders.join(' and ')} both hold the lock` : undefined;
      },
    };
    return { nodes, checkers: [mutex] };
  },
});

export async function withToyLock(importOriginal: () => Promise<typeof Registry>): Promise<typeof Registry> {
  const orig = await importOriginal();
  return {
    ...orig,
    getProtocol: (name: string) => (name === 'toy-lock' ? toyLock : orig.getProtocol(name)),
    protocolNames: () => [...orig.protocolNames(), 'toy-lock'],
  };
}
