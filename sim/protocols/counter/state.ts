// What counter nodes publish (the viewer's panel and the checkers read exactly this).

/** A counter replica (role `server`). */
export type CounterReplicaState = {
  /** 'naive' (last writer wins) or 'pn-counter' (state-based or delta CRDT). */
  design: 'naive' | 'pn-counter';
  /** The value a read at this replica answers now. */
  value: number;
  /** PN-counter: per replica [P, N] (increments, decrements) as this replica knows them; null for naive. */
  entries: Record<string, [number, number]> | null;
  /** Naive: the Lamport timestamp of the value, `counter.node`; null for the CRDT. */
  ts: string | null;
  /** Delta gossip: own deltas some peer has not acknowledged yet (0 with state gossip). */
  unacked: number;
};

/** A counter client (role `client`). */
export type CounterClientState = {
  /** The replica it talks to. */
  replica: string;
  /** Operations it got an answer for. */
  acked: number;
  /** Operations that timed out (outcome unknown). */
  unknown: number;
};
