// The slice of the engine a two-phase commit role needs. The role classes are
// written against this interface only, so tests can drive them with a fake and
// check every send, timer and disk write exactly.

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
