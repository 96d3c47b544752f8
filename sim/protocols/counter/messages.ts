// Counter messages: client requests and replies, and replica-to-replica gossip.

/** Client -> replica: add `delta` (negative for a decrement). */
export interface AddReq { type: 'add'; id: number; delta: number }
export interface AddOk { type: 'add-ok'; id: number }
/** Replica -> client: the add was refused, not applied (delta gossip: the replica's buffer of unacknowledged deltas is full). */
export interface AddFail { type: 'add-fail'; id: number }
export interface ReadReq { type: 'read'; id: number }
export interface ReadOk { type: 'read-ok'; id: number; value: number }
/** State-based gossip of a PN-counter (Shapiro et al. 2011, Specification 7): the whole state, merged by entrywise max. */
export interface StateGossip { type: 'state'; entries: Record<string, [number, number]> }
/** Delta gossip: the sender's own deltas from `seq` on (delta-state CRDTs, Almeida et al. 2018), retransmitted until acknowledged. */
export interface DeltaGossip { type: 'delta'; from: number; deltas: number[] }
/** Delta acknowledgement: every delta of the receiver's origin up to `upTo` is applied. */
export interface DeltaAck { type: 'delta-ack'; upTo: number }
/** Naive counter: a replica's value with its Lamport timestamp (last writer wins). */
export interface ValueGossip { type: 'value'; value: number; c: number; n: string }

export type CounterMessage = AddReq | AddOk | AddFail | ReadReq | ReadOk | StateGossip | DeltaGossip | DeltaAck | ValueGossip;
