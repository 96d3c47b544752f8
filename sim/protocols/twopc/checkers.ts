// Checkers of two-phase commit. They follow the run through the trace only: the
// participants' published states (ParticipantState, including their lock
// tables), the messages the roles send, and, for decision-stable, the engine's
// record of what the coordinator's disk holds durably after a restart
// (`view.durable`: the disk, not the node's word). No checker reads a live node.
// One tracker per run, shared by the checkers; it follows the run through the
// engine's typed hooks (Checker.on: no trace event object is built for them) and
// sees every event once (rule-set.ts, sharedHooks).
//
// Properties, after the TLA+ specifications TCommit and TwoPhase (Lamport &
// Gray, "Consensus on Transaction Commit") and the atomic commitment
// conditions AC1-AC5 of BHG §7.3:
// - atomicity (TCConsistent, AC1): no transaction committed at one participant and aborted at another.
// - commit-validity (AC3): the coordinator decides commit only after a yes vote from every participant.
// - decision-stable (AC2): a decision, once announced or logged, never changes, across crashes and restarts.
// - money-conserved: the committed state (plus the commits still on their way) holds the initial total.
// - locks-released: no lock is held by a transaction its participant knows to be decided.
// - in-doubt-resolves (liveness, AC5; final): after the quiesce point every transaction resolves within a bound.
// - cooperative-termination (liveness while faults last, BHG §7.4): with the cooperative termination
//   protocol on, a participant in doubt whose coordinator it cannot reach, but which can reach a
//   participant that has decided, decides within a bound. One that can reach neither stays blocked:
//   that is 2PC's known blocking case, not a violation.

import { formatDuration, getOrFail, type Checker, type JsonValue, type Micros, type NodeId, type SimView } from '../../api/index.ts';
import { sharedHooks, type Follower } from './rule-set.ts';
import type { Op } from './accounts.ts';
import type { TwoPcMessage, TxId } from './messages.ts';
import type { DecisionRecord } from './coordinator.ts';
import type { ParticipantState, ParticipantTxState } from './state.ts';

type Known = ParticipantTxState | 'forgotten';

interface TxFacts {
  participants: NodeId[];
  deltas: Map<NodeId, number>;
  yes: Set<NodeId>;
  committedAt: Set<NodeId>;
  abortedAt: Set<NodeId>;
  /** First decision the coordinator made known (to a participant or the client). */
  announced?: { commit: boolean; t: Micros; to: NodeId };
  /** This transaction's current term in the money sum. */
  adj: number;
}

export interface TwoPcCheckOptions {
  coordinator: NodeId;
  participants: readonly NodeId[];
  shardTotal: number;
  livenessBound: Micros;
  /** Cooperative termination on; without it cooperative-termination promises nothing. */
  cooperative?: boolean;
  /** How long a participant in doubt may take to learn a reachable peer's decision (see cooperativeBound). */
  cooperativeBound?: Micros;
}

/**
 * The bound of cooperative-termination: an in-doubt participant queries every
 * `queryInterval` (its local clock) and asks its peers from query
 * `cooperativeAfter + 1` on, so it asks them at most (cooperativeAfter + 1)
 * intervals after the condition starts; one more interval covers the answer,
 * and two more a lost query or answer twice (the link model's own loss: the
 * condition excludes loss bursts).
 */
export function cooperativeBound(cooperativeAfter: number, queryInterval: Micros): Micros {
  return (cooperativeAfter + 4) * queryInterval;
}

export class TwoPcTracker implements Follower {
  /** True time of the instant the run is at (onInstant), and the run's view (for the coordinator's durable disk). */
  private now: Micros = 0;
  private view: SimView | undefined;
  readonly txs = new Map<TxId, TxFacts>();
  private readonly states = new Map<NodeId, Map<TxId, Known>>();
  private readonly balances = new Map<NodeId, number>();
  private balanceSum: number;
  private adjSum = 0;
  private readonly dirty = new Set<TxId>();
  /** "p|tx" -> true time it became unresolved (working or prepared) at p. */
  readonly unresolved = new Map<string, Micros>();
  /** Per participant: the transactions of `unresolved` there (so a publish scans only its own). */
  private readonly unresolvedAt = new Map<NodeId, Set<TxId>>();
  readonly found: Record<string, string | undefined> = {};
  /** Bumped whenever a participant's known state of a transaction changes. */
  version = 0;
  readonly initialTotal: number;

  constructor(private readonly o: TwoPcCheckOptions) {
    this.initialTotal = o.shardTotal * o.participants.length;
    this.balanceSum = this.initialTotal;
    this.reset();
  }

  reset(): void {
    this.now = 0;
    this.txs.clear();
    this.states.clear();
    this.balances.clear();
    for (const p of this.o.participants) {
      this.states.set(p, new Map());
      this.balances.set(p, this.o.shardTotal);
    }
    this.balanceSum = this.initialTotal;
    this.adjSum = 0;
    this.version++;
    this.dirty.clear();
    this.unresolved.clear();
    this.unresolvedAt.clear();
    for (const k of Object.keys(this.found)) delete this.found[k];
  }

  /** What participant p last showed of transaction tx (undefined: never seen). */
  stateOf(p: NodeId, tx: TxId): Known | undefined {
    return this.states.get(p)?.get(tx);
  }

  /** The participants of tx, as the coordinator's work requests named them. */
  participantsOf(tx: TxId): readonly NodeId[] {
    return this.txs.get(tx)?.participants ?? [];
  }

  private fact(tx: TxId): TxFacts {
    let f = this.txs.get(tx);
    if (f === undefined) {
      f = { participants: [], deltas: new Map(), yes: new Set(), committedAt: new Set(), abortedAt: new Set(), adj: 0 };
      this.txs.set(tx, f);
    }
    return f;
  }

  private report(checker: string, message: string): void {
    this.found[checker] ??= message;
  }

  /** A later instant began: the time of the events that follow, and the run's view. */
  readonly onInstant = (t: Micros, view: SimView): void => {
    this.now = t;
    this.view = view;
  };

  /** What the tracker follows: participants' publishes, the messages sent, the coordinator's restarts. */
  readonly on = {
    publish: (node: NodeId, state: JsonValue): void => {
      if (this.states.has(node)) this.onParticipantState(node, state, this.now);
    },
    send: (_id: number, from: NodeId, to: NodeId, msg: unknown): void => {
      this.onSend(from, to, msg as TwoPcMessage, this.now);
    },
    start: (node: NodeId, restart: boolean): void => {
      if (restart && node === this.o.coordinator && this.view !== undefined) this.onCoordinatorRestart(this.view);
    },
  };

  private onParticipantState(p: NodeId, raw: JsonValue, t: Micros): void {
    const s = raw as ParticipantState;
    const known = getOrFail(this.states, p, 'participants');
    let open = this.unresolvedAt.get(p);
    if (open === undefined) this.unresolvedAt.set(p, (open = new Set()));
    this.balanceSum += s.balance - (this.balances.get(p) ?? 0);
    this.balances.set(p, s.balance);
    for (const [tx, st] of Object.entries(s.txs)) {
      if (known.get(tx) === st) continue;
      known.set(tx, st);
      this.version++;
      const f = this.fact(tx);
      if (st === 'committed') f.committedAt.add(p);
      if (st === 'aborted') f.abortedAt.add(p);
      const key = `${p}|${tx}`;
      if (st === 'working' || st === 'prepared') {
        if (!this.unresolved.has(key)) {
          this.unresolved.set(key, t);
          open.add(tx);
        }
      } else if (this.unresolved.delete(key)) open.delete(tx);
      this.dirty.add(tx);
    }
    // Unresolved transactions always appear in the published state: one that
    // vanished was forgotten in a crash (volatile work, or an unsynced record).
    for (const tx of open) {
      if (s.txs[tx] !== undefined) continue;
      open.delete(tx);
      this.unresolved.delete(`${p}|${tx}`);
      known.set(tx, 'forgotten');
      this.version++;
      this.dirty.add(tx);
    }
    // locks-released: a lock held for a transaction this participant shows (now or earlier) as decided.
    if (this.found['locks-released'] === undefined) {
      for (const [account, tx] of Object.entries(s.locks)) {
        const st = s.txs[tx] ?? known.get(tx);
        if (st === 'committed' || st === 'aborted') {
          this.report('locks-released', `${p} still locks ${account} for ${tx}, which it knows is ${st}`);
          break;
        }
      }
    }
  }

  private onSend(from: NodeId, to: NodeId, msg: TwoPcMessage, t: Micros): void {
    switch (msg.type) {
      case 'work': {
        const f = this.fact(msg.tx);
        f.participants = msg.participants;
        f.deltas.set(to, sumOps(msg.ops));
        this.dirty.add(msg.tx);
        return;
      }
      case 'vote':
        if (msg.yes) this.fact(msg.tx).yes.add(from);
        return;
      case 'decision':
        if (from === this.o.coordinator) this.announce(msg.tx, msg.commit, to, t);
        return;
      case 'outcome':
        this.announce(msg.tx, msg.commit, to, t);
        return;
      default:
    }
  }

  private announce(tx: TxId, commit: boolean, to: NodeId, t: Micros): void {
    const f = this.fact(tx);
    if (commit) {
      const missing = f.participants.filter((p) => !f.yes.has(p));
      if (missing.length > 0 || f.participants.length === 0) {
        this.report('commit-validity', `coordinator announced commit of ${tx} to ${to}, but ${missing.length > 0 ? missing.join(', ') : 'no participant'} never voted yes`);
      }
    }
    if (f.announced === undefined) {
      f.announced = { commit, t, to };
      return;
    }
    if (f.announced.commit !== commit) {
      const word = (c: boolean): string => (c ? 'commit' : 'abort');
      this.report('decision-stable', `coordinator announced ${word(f.announced.commit)} of ${tx} (to ${f.announced.to} at ${formatDuration(f.announced.t)}) and now ${word(commit)} (to ${to})`);
    }
  }

  /** After a restart the coordinator's log must still hold every commit it announced. */
  private onCoordinatorRestart(view: SimView): void {
    const durable = view.durable(this.o.coordinator);
    for (const [tx, f] of this.txs) {
      if (f.announced?.commit !== true) continue;
      const rec = durable.get(`dec/${tx}`) as DecisionRecord | undefined;
      if (rec?.decision !== 'commit') {
        this.report('decision-stable', `coordinator announced commit of ${tx} (to ${f.announced.to} at ${formatDuration(f.announced.t)}), but after its restart the log has ${rec === undefined ? 'no decision record' : `decision ${rec.decision}`}`);
        return;
      }
    }
  }

  /** Bring the per-transaction money terms up to date and run the atomicity check on what changed. */
  settle(): void {
    for (const tx of this.dirty) {
      const f = getOrFail(this.txs, tx, 'transactions');
      if (f.committedAt.size > 0 && f.abortedAt.size > 0) {
        this.report('atomicity', `${tx} committed at ${[...f.committedAt].join(', ')} but aborted at ${[...f.abortedAt].join(', ')}`);
      }
      let adj = 0;
      if (f.committedAt.size > 0) {
        // Committed somewhere: the participants that have not applied it yet will.
        for (const p of f.participants) {
          const st = this.states.get(p)?.get(tx);
          if (st !== 'committed' && st !== 'aborted') adj += f.deltas.get(p) ?? 0;
        }
      }
      this.adjSum += adj - f.adj;
      f.adj = adj;
    }
    this.dirty.clear();
    if (this.balanceSum + this.adjSum !== this.initialTotal) {
      this.report('money-conserved', `total money is ${this.balanceSum + this.adjSum} (committed balances ${this.balanceSum}, commits in flight ${this.adjSum}), expected ${this.initialTotal}`);
    }
  }
}

function sumOps(ops: readonly Op[]): number {
  let s = 0;
  for (const op of ops) s += op.delta;
  return s;
}

export function twopcCheckers(o: TwoPcCheckOptions): Checker[] {
  let inDoubtJudged = false;
  const tracker = new TwoPcTracker(o);
  const member = sharedHooks(tracker);
  let members = 0;
  const fromTracker = (name: string, description: string): Checker => ({
    name,
    description,
    when: 'always',
    ...member(members++),
    check() {
      tracker.settle();
      return tracker.found[name];
    },
  });
  return [
    fromTracker('atomicity', 'TCConsistent: no transaction is committed at one participant and aborted at another'),
    fromTracker('commit-validity', 'the coordinator announces commit only after every participant voted yes'),
    fromTracker('decision-stable', 'a decision once announced never changes, and a restarted coordinator still has every commit it announced'),
    fromTracker('money-conserved', 'the committed balances plus commits still being applied hold the initial total'),
    fromTracker('locks-released', 'no participant holds a lock (as it publishes its lock table) for a transaction it knows to be committed or aborted'),
    cooperativeTermination(o, tracker, member(members++)),
    {
      name: 'in-doubt-resolves',
      description: 'liveness: after the quiesce point every working or in-doubt transaction resolves within the liveness bound',
      // Final: a run can go idle (nothing left to happen) and skip to its end without another step.
      // It reads the tracker, which the 'always' checkers feed: select at least one of them with it.
      when: 'final',
      // Judged when the run lasts the liveness bound past the quiesce point, or nothing is left unresolved.
      judged: () => inDoubtJudged,
      check(view) {
        const q = view.quiescedAt;
        if (q === undefined) return undefined;
        if (view.now - q > o.livenessBound || tracker.unresolved.size === 0) inDoubtJudged = true;
        const late: string[] = [];
        for (const [key, since] of tracker.unresolved) {
          const from = Math.max(since, q);
          if (view.now - from > o.livenessBound) late.push(`${key.replace('|', ': ')} unresolved since ${formatDuration(since)}`);
        }
        if (late.length === 0) return undefined;
        return `${late.length} transaction(s) still unresolved ${formatDuration(o.livenessBound)} after the quiesce point (${formatDuration(q)}) or after they began: ${late.slice(0, 5).join('; ')}${late.length > 5 ? ' ...' : ''}`;
      },
    },
  ];
}

/**
 * cooperative-termination (liveness while faults last; BHG §7.4, the
 * cooperative termination protocol): a participant p in doubt about tx (voted
 * yes, no outcome) whose coordinator it cannot reach (down, paused, or cut off
 * in either direction), with no loss burst on, while some other participant of tx that has decided it
 * (committed or aborted) is running and connected to p, must decide within
 * `cooperativeBound` of that condition starting (it restarts whenever the
 * condition breaks). A participant whose coordinator is down with no decided
 * peer reachable may stay blocked: that is 2PC's blocking case, not judged here.
 * Checks nothing unless the cooperative termination protocol is on.
 */
function cooperativeTermination(o: TwoPcCheckOptions, tracker: TwoPcTracker, hooks: Pick<Checker, 'on' | 'onInstant'>): Checker {
  const bound = o.cooperativeBound ?? 0;
  let epoch = -1;
  let version = -1;
  let lastNow = 0;
  /** "p|tx" -> true time the condition began (held ever since). */
  const waiting = new Map<string, { since: Micros; peers: NodeId[] }>();
  return {
    name: 'cooperative-termination',
    description: 'liveness while faults last: a participant in doubt that cannot reach its coordinator but can reach a decided peer decides within a bound (cooperative termination)',
    when: 'always',
    ...hooks,
    check(view) {
      if (o.cooperative !== true) return undefined;
      tracker.settle();
      const f = view.faults;
      if (view.now < lastNow) waiting.clear(); // a new run through the same prepared checkers
      lastNow = view.now;
      if (f.epoch !== epoch || tracker.version !== version) {
        epoch = f.epoch;
        version = tracker.version;
        const holding = new Set<string>();
        for (const key of tracker.unresolved.keys()) {
          const bar = key.indexOf('|');
          const p = key.slice(0, bar);
          const tx = key.slice(bar + 1);
          if (f.lossBurst > 0 || tracker.stateOf(p, tx) !== 'prepared' || !f.running(p) || f.connected(p, o.coordinator)) continue;
          const peers = tracker.participantsOf(tx).filter((q) => {
            if (q === p) return false;
            const st = tracker.stateOf(q, tx);
            return (st === 'committed' || st === 'aborted') && f.connected(p, q);
          });
          if (peers.length === 0) continue;
          holding.add(key);
          if (!waiting.has(key)) waiting.set(key, { since: view.now, peers });
        }
        for (const key of [...waiting.keys()]) if (!holding.has(key)) waiting.delete(key);
      }
      for (const [key, w] of waiting) {
        if (view.now - w.since > bound) {
          const [p, tx] = key.split('|');
          return `${p} is still in doubt about ${tx} ${formatDuration(view.now - w.since)} after it lost its coordinator ${o.coordinator} while ${w.peers.join(', ')}, which decided it, stayed reachable (bound ${formatDuration(bound)})`;
        }
      }
      return undefined;
    },
  };
}
