// What two-phase commit nodes publish (contract with the viewer, the roles and
// triggers, coverage and the checkers; see docs/architecture.md, "Published state
// shapes"). Fields may be added, never renamed or removed. Type aliases, not
// interfaces, so that they are JSON values (`ProtocolNode<M, T, P extends JsonValue>`).

export type CoordinatorTxState = 'preparing' | 'committing' | 'aborting' | 'done';

export type CoordinatorState = {
  /** Active transactions and the most recent finished ones. */
  txs: Record<string, { state: CoordinatorTxState; votes: Record<string, 'yes' | 'no' | null> }>;
};

export type ParticipantTxState = 'working' | 'prepared' | 'committed' | 'aborted';

export type ParticipantState = {
  /** Every unresolved transaction (working or prepared) and the most recent resolved ones. */
  txs: Record<string, ParticipantTxState>;
  /** Transactions this participant voted yes for and whose outcome it does not know yet. */
  inDoubt: string[];
  /** Sum of the committed balances of this shard's accounts. */
  balance: number;
  /**
   * The lock table: account -> the transaction holding its exclusive lock. Bounded by the accounts of
   * the shard. Read by the locks-released checker.
   */
  locks: Record<string, string>;
};

export type ClientState = {
  /** The transfer in flight, if any. */
  tx: string | null;
  committed: number;
  aborted: number;
  unknown: number;
};

/** How many finished transactions a node keeps in its published state. */
export const PUBLISHED_RECENT = 8;
