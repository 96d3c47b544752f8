// Client <-> coordination server messages (ZooKeeper's session protocol reduced
// to what the lock recipe needs), and client -> resource writes.

import type { Message } from '../../api/index.ts';
import type { TreeOp, TreeResult, WatchEvent } from './tree.ts';

export type ClientOp =
  | { op: 'create'; path: string; data: string; ephemeral: boolean; sequential: boolean }
  | { op: 'delete'; path: string }
  | { op: 'exists'; path: string; watch: boolean }
  | { op: 'children'; path: string; watch: boolean };

export interface Connect extends Message { type: 'connect'; client: string }
export interface Connected extends Message { type: 'connected'; session: string }
export interface Ping extends Message { type: 'ping'; session: string; sent: number }
export interface Pong extends Message { type: 'pong'; session: string; sent: number }
export interface Request extends Message { type: 'request'; session: string; req: number; op: ClientOp }
export interface Response extends Message { type: 'response'; session: string; req: number; result: TreeResult }
export interface Expired extends Message { type: 'expired'; session: string }
export interface Watch extends Message { type: 'watch'; event: WatchEvent; zxid: number }
export interface ZkWrite extends Message { type: 'write'; client: string; tenure: string; token: number; seq: number }
export interface ZkAck extends Message { type: 'write-ack'; client: string; tenure: string; token: number; seq: number; ok: boolean; dup: boolean }

export type ZkMessage = Connect | Connected | Ping | Pong | Request | Response | Expired | Watch | ZkWrite | ZkAck;

export type { TreeOp };
