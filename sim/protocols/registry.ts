// Every protocol a scenario can name. Add one line per protocol.

import type { ProtocolDefinition } from '../api/protocol.ts';
import { pingpong } from './pingpong/protocol.ts';
import { ring } from './ring/protocol.ts';
import { raft } from './raft/protocol.ts';
import { twopc } from './twopc/protocol.ts';
import { lock } from './lock/protocol.ts';
import { counter } from './counter/protocol.ts';
import { mapreduce } from './mapreduce/protocol.ts';
import { mergesort } from './mergesort/protocol.ts';
import { redlock } from './redlock/protocol.ts';
import { saga } from './saga/protocol.ts';
import { zookeeper } from './zookeeper/protocol.ts';

const protocols: ProtocolDefinition[] = [pingpong, lock, twopc, raft, ring, counter, mapreduce, mergesort, redlock, saga, zookeeper];

/** Protocols loaded at run time from a user's module, keyed by the module's absolute path (see sim/cli/protocol-modules.ts). */
const loaded = new Map<string, ProtocolDefinition>();

/** Make a protocol loaded from a module available under `key` (the module's absolute path, as the loaded scenario names it). */
export function registerProtocol(key: string, protocol: ProtocolDefinition): void {
  loaded.set(key, protocol);
}

export function getProtocol(name: string): ProtocolDefinition | undefined {
  return protocols.find((p) => p.name === name) ?? loaded.get(name);
}

export function protocolNames(): string[] {
  return protocols.map((p) => p.name);
}
