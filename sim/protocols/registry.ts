// Every protocol a scenario can name. Add one line per protocol.

import type { ProtocolDefinition } from '../api/protocol.ts';
import { pingpong } from './pingpong/protocol.ts';
import { ring } from './ring/protocol.ts';
import { raft } from './raft/protocol.ts';
import { twopc } from './twopc/protocol.ts';
import { lock } from './lock/protocol.ts';

const protocols: ProtocolDefinition[] = [pingpong, lock, twopc, raft, ring];

export function getProtocol(name: string): ProtocolDefinition | undefined {
  return protocols.find((p) => p.name === name);
}

export function protocolNames(): string[] {
  return protocols.map((p) => p.name);
}
