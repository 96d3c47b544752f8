// The slice of the engine a two-phase commit role needs. The role classes are
// written against this interface only, so tests can drive them with a fake and
// check every send, timer and disk write exactly.

import { DiskCorruptionError } from '../../engine/disk.ts';
import type { Disk, Micros, NodeId } from '../../engine/types.ts';
import type { TwoPcMessage } from './messages.ts';

export interface TwoPcIo {
  readonly id: NodeId;
  now(): Micros;
  send(to: NodeId, msg: TwoPcMessage): void;
  setTimer(name: string, delay: Micros): void;
  cancelTimer(name: string): void;
  hasTimer(name: string): boolean;
  readonly disk: Disk;
  log(text: string): void;
}

/** Read a log record. Two-phase commit assumes stable storage, so a record that fails its checksum is treated as lost (and said so in the trace). */
export function readStable<T>(io: TwoPcIo, key: string): T | undefined {
  try {
    return io.disk.get<T>(key);
  } catch (err) {
    if (err instanceof DiskCorruptionError) {
      io.log(`${key} is corrupt: treated as lost (2PC assumes stable storage)`);
      return undefined;
    }
    throw err;
  }
}
