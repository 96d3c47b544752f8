// Test-only protocol registration: vitest files that need the toy counter call
// `vi.mock(REGISTRY, withCounter)` so the shared registry stays untouched.

import type * as Registry from '../../sim/protocols/registry.ts';
import { counter } from './counter-protocol.ts';

export async function withCounter(importOriginal: () => Promise<typeof Registry>): Promise<typeof Registry> {
  const orig = await importOriginal();
  return {
    ...orig,
    getProtocol: (name: string) => (name === 'counter' ? counter : orig.getProtocol(name)),
    protocolNames: () => [...orig.protocolNames(), 'counter'],
  };
}
