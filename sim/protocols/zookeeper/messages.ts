// Client <-> coordination service messages (ZooKeeper's session protocol reduced
// to what the lock recipe needs), and client -> resource writes. Requests and their
// answers are Raft's client messages (section 8: client id + sequence number, a
// redirection with a leader hint); pings go to the leader, which keeps the sessions'
// clocks; the leader sends watch notifications.

import type { Message } from '../../api/index.ts';
import type { ClientReply, ClientRequest, ServerMessage } from '../raft/public.ts';
import type { TreeOp, TreeResult, WatchEvent } from './tree.ts';

/** What a client asks of the tree (the leader's log entry adds the session: `client` of the request). */
export type ClientOp =
  | { op: 'create'; path: string; data: string; ephemeral: boolean; sequential: boolean }
  | { op: 'delete'; path: string }
  | { op: 'exists'; path: string; watch: boolean }
  | { op: 'children'; path: string; watch: boolean }
  | { op: 'create-session'; client: string };

export interface Ping extends Message { type: 'ping'; session: string; sent: number }
export interface Pong extends Message { type: 'pong'; session: string; sent: number }
/** A server that does not lead answers a ping with the leader it knows of (null: none). */
export interface NotLeader extends Message { type: 'not-leader'; leaderHint: string | null }
export interface Expired extends Message { type: 'expired'; session: string }
export interface Watch extends Message { type: 'watch'; event: WatchEvent; zxid: number }
export interface ZkWrite extends Message { type: 'write'; client: string; tenure: string; token: number; seq: number }
export interface ZkAck extends Message { type: 'write-ack'; client: string; tenure: string; token: number; seq: number; ok: boolean; dup: boolean }

/** A request's answer when `ok`: the tree's result. */
export type Response = ClientReply & { result?: TreeResult };

export type ZkMessage = ClientRequest | ClientReply | Ping | Pong | NotLeader | Expired | Watch | ZkWrite | ZkAck | ServerMessage;

export type { TreeOp };
