// The replicated state machine behind Raft, pluggable (section 8 of the Raft
// paper, "Client interaction"): an application `Service` (the key-value store,
// the lock table, or another protocol's own, such as a ZooKeeper-like data tree)
// wrapped in client sessions: each command carries client id + sequence number;
// the session table remembers the last one per client with its answer, so a
// retried command is applied once and answered again from the table.
//
// To run Raft with another state machine, write a `StateMachineDefinition` (a
// factory of `Service`s plus how to stamp, classify and describe operations) and
// build the servers with `raftServerNodes` (server.ts).

import { assert, type JsonValue, type Micros } from '../../api/index.ts';
import type { Command } from './types.ts';

/** An application state machine: deterministic (same operations in the same order, same answers). */
export interface Service {
  /**
   * Apply one committed operation; returns the answer for the client. Must not read clocks or
   * randomness. `index` is the Raft log index of its entry (grows by at least 1 per call; a
   * ZooKeeper-like tree uses it as the zxid).
   */
  apply(op: JsonValue, index: number): JsonValue;
  /**
   * Answer a read-only operation from the current state without changing it (ReadIndex, thesis
   * section 6.4, and the planted bug `leaderReadsWithoutQuorum`). Only called for operations the
   * definition's `readOnly` accepts.
   */
  query?(op: JsonValue): JsonValue;
  /** The whole state as plain JSON; `StateMachineDefinition.create(snapshot)` restores it exactly. */
  snapshot(): JsonValue;
}

/** How Raft servers make, feed and show one kind of state machine. */
export interface StateMachineDefinition {
  /** Short name, stored in snapshots (a snapshot is never restored into another kind). */
  readonly name: string;
  /** A fresh service (`snapshot` null) or one restored from its `snapshot()`. */
  create(snapshot: JsonValue | null): Service;
  /**
   * The operation the leader proposes for a client's request: stamp what every replica must agree on
   * (the lock table needs the leader's clock and the client's session). Default: `op` as sent.
   */
  command?(op: JsonValue, client: string, now: Micros): JsonValue;
  /** Whether `op` only reads (served by ReadIndex when `reads: 'readindex'`; needs `Service.query`). Default: never. */
  readOnly?(op: JsonValue): boolean;
  /** A short human form for the viewer ("put k3=7", "acquire L (c1)"). */
  describe(op: JsonValue, client: string): string;
}

/** The replicated state machine a Raft server applies committed entries to. */
export interface RaftStateMachine {
  /** Apply a committed entry's command; returns the answer for its client (undefined for a no-op). */
  apply(cmd: Command): JsonValue | undefined;
  /** The recorded answer when (client, seq) was already applied (a retried command); undefined otherwise. */
  answered(client: string, seq: number): JsonValue | undefined;
  /** A read-only operation answered from the current state (see `Service.query`). */
  query(op: JsonValue): JsonValue;
  /** State plus session table, plain JSON. */
  snapshot(): JsonValue;
  /** The apply digest at the last applied entry (see `ReplicatedMachine.digest`). */
  readonly digest: number;
  /** A 32-bit digest of the whole state now: the service's state and the session table (see `ReplicatedMachine.stateDigest`). */
  stateDigest(): number;
  /** `snapshot()` and `stateDigest()` of one moment, computing the service's state once. */
  snapshotWithDigest(): { snapshot: JsonValue; digest: number };
}

interface Session {
  seq: number;
  result: JsonValue;
}

/** Most client sessions a machine keeps (one per client process: scenarios have at most a few dozen). */
export const MAX_SESSIONS = 100_000;

/** Client sessions (section 8) around a `Service`: the `RaftStateMachine` every server runs. */
export class ReplicatedMachine implements RaftStateMachine {
  private readonly sessions = new Map<string, Session>();
  applied = 0;
  /**
   * Apply digest: a 32-bit FNV-1a chain over every entry applied so far, each as (index, command,
   * outcome: applied or answered from the session table, and the answer). Two replicas that applied
   * the same entries to the same state with the same sessions have the same digest at each index
   * (State Machine Safety taken to the machines' state; rules-state.ts). Snapshots carry it.
   */
  digest = FNV_OFFSET;

  private constructor(
    readonly definition: StateMachineDefinition,
    private readonly service: Service,
  ) {}

  /** A fresh machine of this kind. */
  static create(definition: StateMachineDefinition): ReplicatedMachine {
    return new ReplicatedMachine(definition, definition.create(null));
  }

  /** Restore from `snapshot()` (null: a fresh machine). */
  static restore(definition: StateMachineDefinition, snap: JsonValue): ReplicatedMachine {
    if (snap === null) return ReplicatedMachine.create(definition);
    const s = snap as unknown as { service: string; applied: number; digest?: number; sessions: Record<string, Session>; state: JsonValue };
    assert(s.service === definition.name, () => `snapshot of a ${s.service} state machine restored as ${definition.name}`);
    const m = new ReplicatedMachine(definition, definition.create(s.state));
    m.applied = s.applied;
    m.digest = typeof s.digest === 'number' ? s.digest : FNV_OFFSET;
    for (const [c, v] of Object.entries(s.sessions)) m.sessions.set(c, { seq: v.seq, result: v.result });
    return m;
  }

  apply(cmd: Command): JsonValue | undefined {
    this.fresh = false;
    const result = this.applyOnce(cmd);
    // Digest step: (index, command, outcome: 0 no-op, 1 applied, 2 answered from the session table, answer).
    let h = hashNumber(this.digest, this.applied);
    if (cmd.kind === 'noop') h = hashNumber(h, 0);
    else h = hashJson(hashNumber(hashJson(hashNumber(hashString(h, cmd.client), cmd.seq), cmd.op), this.fresh ? 1 : 2), result);
    this.digest = h;
    return result;
  }

  /** Whether the last `apply` ran the command on the service (false: a no-op or a duplicate). */
  private fresh = false;

  private applyOnce(cmd: Command): JsonValue | undefined {
    this.applied++;
    if (cmd.kind === 'noop') return undefined;
    const s = this.sessions.get(cmd.client);
    // A duplicate of the client's latest command: answer again, do not apply again.
    if (s !== undefined && cmd.seq <= s.seq) return cmd.seq === s.seq ? s.result : null;
    const result = this.service.apply(cmd.op, this.applied); // every entry is applied here once: applied = its log index
    if (s === undefined) assert(this.sessions.size < MAX_SESSIONS, () => `more than ${MAX_SESSIONS} client sessions`);
    this.sessions.set(cmd.client, { seq: cmd.seq, result });
    this.fresh = true;
    return result;
  }

  answered(client: string, seq: number): JsonValue | undefined {
    const s = this.sessions.get(client);
    return s !== undefined && s.seq === seq ? s.result : undefined;
  }

  query(op: JsonValue): JsonValue {
    const q = this.service.query;
    assert(q !== undefined && this.definition.readOnly?.(op) === true, () => `${this.definition.name}: ${JSON.stringify(op)} is not a read-only operation`);
    return q.call(this.service, op);
  }

  /**
   * State digest: 32-bit FNV-1a over the whole machine state as it is now, not over its history: the
   * live session table (client, seq, answer; by client id) and the service's `snapshot()`, objects
   * hashed with their keys sorted (insertion order is not state). Two machines in the same state have
   * the same digest whatever their history; a machine restored from a snapshot has the digest of the
   * machine that took it (the snapshot-fidelity rule, rules-state.ts). O(state) per call: servers
   * compute it only where they take or restore a snapshot.
   */
  stateDigest(): number {
    return this.digestOf(this.service.snapshot());
  }

  /** `stateDigest()` given the service's `snapshot()` taken now. */
  private digestOf(serviceState: JsonValue): number {
    let h = hashNumber(FNV_OFFSET, this.sessions.size);
    for (const c of [...this.sessions.keys()].sort()) {
      const s = this.sessions.get(c) as Session;
      h = hashCanonical(hashNumber(hashString(h, c), s.seq), s.result);
    }
    return hashCanonical(h, serviceState);
  }

  snapshot(): JsonValue {
    return this.snapshotOf(this.service.snapshot());
  }

  /**
   * `snapshot()` and `stateDigest()` together, from one call of the service's `snapshot()` (O(state)
   * each: a server taking a snapshot needs both, Raft §7 compaction and the snapshot-fidelity checkpoint).
   */
  snapshotWithDigest(): { snapshot: JsonValue; digest: number } {
    const state = this.service.snapshot();
    return { snapshot: this.snapshotOf(state), digest: this.digestOf(state) };
  }

  private snapshotOf(state: JsonValue): JsonValue {
    const sessions: Record<string, JsonValue> = {};
    for (const [c, s] of this.sessions) sessions[c] = { seq: s.seq, result: s.result };
    return { service: this.definition.name, applied: this.applied, digest: this.digest, sessions, state };
  }
}

// FNV-1a, 32 bits (Fowler, Noll, Vo; draft-eastlake-fnv): offset basis and prime.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return Math.imul(h ^ 0xff, FNV_PRIME) >>> 0; // terminator: "ab","c" differs from "a","bc"
}

function hashNumber(h: number, n: number): number {
  // Integers as 32-bit halves; other numbers by their shortest decimal text (same value, same text).
  if (Number.isSafeInteger(n)) {
    h = Math.imul(h ^ (n & 0xffffffff), FNV_PRIME);
    return Math.imul(h ^ Math.floor(n / 0x100000000), FNV_PRIME) >>> 0;
  }
  return hashString(h, String(n));
}

/** FNV-1a over a JSON value's structure (type tags, keys in insertion order, values); no allocation but for non-integers. */
function hashJson(h: number, v: JsonValue | undefined): number {
  if (v === null || v === undefined) return Math.imul(h ^ 0x6e, FNV_PRIME) >>> 0;
  switch (typeof v) {
    case 'number':
      return hashNumber(Math.imul(h ^ 0x64, FNV_PRIME), v);
    case 'string':
      return hashString(Math.imul(h ^ 0x73, FNV_PRIME), v);
    case 'boolean':
      return Math.imul(h ^ (v ? 0x74 : 0x66), FNV_PRIME) >>> 0;
    default:
      break;
  }
  if (Array.isArray(v)) {
    h = hashNumber(Math.imul(h ^ 0x5b, FNV_PRIME), v.length);
    for (const x of v) h = hashJson(h, x);
    return h;
  }
  h = Math.imul(h ^ 0x7b, FNV_PRIME);
  for (const k in v) h = hashJson(hashString(h, k), (v as Record<string, JsonValue>)[k]);
  return h >>> 0;
}

/** FNV-1a over a JSON value with every object's keys in sorted order (a value's canonical form). */
function hashCanonical(h: number, v: JsonValue | undefined): number {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) {
    if (!Array.isArray(v)) return hashJson(h, v);
    h = hashNumber(Math.imul(h ^ 0x5b, FNV_PRIME), v.length);
    for (const x of v) h = hashCanonical(h, x);
    return h;
  }
  h = Math.imul(h ^ 0x7b, FNV_PRIME);
  const o = v as Record<string, JsonValue>;
  for (const k of Object.keys(o).sort()) h = hashCanonical(hashString(h, k), o[k]);
  return h >>> 0;
}

/** A short human form of a log entry's command, for the viewer ("put k3=7"). */
export function describeCommand(definition: StateMachineDefinition, cmd: Command): string {
  return cmd.kind === 'noop' ? 'noop' : definition.describe(cmd.op, cmd.client);
}

/** The built-in state machines a raft scenario selects with `service`. */
export type ServiceKind = 'kv' | 'lock';
