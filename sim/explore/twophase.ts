// `twopc-spec`: the TLA+ spec TwoPhase of tlaplus/Examples
// (specifications/transaction_commit/TwoPhase.tla, Lamport and Gray's
// two-phase commit), as an explore model. Its state is the spec's variables,
// its choices are the spec's actions, so `faultline explore twopc-spec`
// counts exactly what TLC counts (a test checks TLC's numbers).
//
// Why a model and not engine nodes: in the spec, messages are a *set* that is
// never emptied (a message, once sent, may be received any number of times,
// and receiving it does not remove it), and RMs abort or TM aborts spontaneously
// with no timer. The engine's messages are a multiset consumed on delivery and
// its nodes act on messages and timers, so an engine run would have other
// states (messages in flight, armed timers) and other counts. The real
// protocol (sim/protocols/twopc) is explored through the engine separately.
//
// Variables (TwoPhase.tla):
//   rmState[rm] in {working, prepared, committed, aborted}
//   tmState in {init, committed, aborted}
//   tmPrepared: the RMs from which the TM received "Prepared"
//   msgs: set of [type: "Prepared", rm] and [type: "Commit"] / [type: "Abort"]
// Next (TPNext, in the spec's order): TMCommit, TMAbort, then for each rm:
//   TMRcvPrepared(rm), RMPrepare(rm), RMChooseToAbort(rm), RMRcvCommitMsg(rm), RMRcvAbortMsg(rm).
// Invariants: TPTypeOK (by construction here) and TCConsistent (TCommit.tla:
// no RM aborted while another committed).

import type { ExploreModel, ModelViolation, PorStep } from './explorer.ts';

export const RM_STATES = ['working', 'prepared', 'committed', 'aborted'] as const;
export const TM_STATES = ['init', 'committed', 'aborted'] as const;
const WORKING = 0;
const PREPARED = 1;
const COMMITTED = 2;
const ABORTED = 3;
const INIT = 0;

export interface TwoPhaseState {
  rmState: number[];
  tmState: number;
  /** Bit r: the TM received Prepared from rm r. */
  tmPrepared: number;
  /** Bit r: [type |-> "Prepared", rm |-> r] is in msgs. */
  preparedMsgs: number;
  commitMsg: boolean;
  abortMsg: boolean;
}

export interface TwoPhaseOptions {
  /** Number of resource managers (the spec's RM set). */
  rms: number;
  /** Planted bug: the TM may commit once *some* RM has prepared (not all). Caught by TCConsistent. */
  commitOnFirstPrepared?: boolean;
}

type Action = { kind: 'TMCommit' } | { kind: 'TMAbort' } | { kind: 'TMRcvPrepared' | 'RMPrepare' | 'RMChooseToAbort' | 'RMRcvCommitMsg' | 'RMRcvAbortMsg'; rm: number };

export class TwoPhaseModel implements ExploreModel<TwoPhaseState> {
  readonly retainStates = true;
  private readonly all: number;
  constructor(readonly opts: TwoPhaseOptions) {
    if (!Number.isInteger(opts.rms) || opts.rms < 1 || opts.rms > 16) throw new RangeError(`twopc-spec: rms must be an integer in [1, 16] (got ${opts.rms})`);
    this.all = (1 << opts.rms) - 1;
  }

  initial(): TwoPhaseState {
    return { rmState: Array.from({ length: this.opts.rms }, () => WORKING), tmState: INIT, tmPrepared: 0, preparedMsgs: 0, commitMsg: false, abortMsg: false };
  }

  private readonly enabledCache = new WeakMap<TwoPhaseState, Action[]>();

  private enabled(s: TwoPhaseState): Action[] {
    let out = this.enabledCache.get(s);
    if (out === undefined) this.enabledCache.set(s, (out = this.computeEnabled(s)));
    return out;
  }

  choiceCount(s: TwoPhaseState): number {
    return this.enabled(s).length;
  }

  private computeEnabled(s: TwoPhaseState): Action[] {
    const out: Action[] = [];
    const commitGuard = this.opts.commitOnFirstPrepared ? s.tmPrepared !== 0 : s.tmPrepared === this.all;
    if (s.tmState === INIT && commitGuard) out.push({ kind: 'TMCommit' });
    if (s.tmState === INIT) out.push({ kind: 'TMAbort' });
    for (let rm = 0; rm < this.opts.rms; rm++) {
      if (s.tmState === INIT && (s.preparedMsgs >> rm) & 1) out.push({ kind: 'TMRcvPrepared', rm });
      if (s.rmState[rm] === WORKING) out.push({ kind: 'RMPrepare', rm }, { kind: 'RMChooseToAbort', rm });
      if (s.commitMsg) out.push({ kind: 'RMRcvCommitMsg', rm });
      if (s.abortMsg) out.push({ kind: 'RMRcvAbortMsg', rm });
    }
    return out;
  }

  choices(s: TwoPhaseState): string[] {
    return this.enabled(s).map((a) => ('rm' in a ? `${a.kind}(r${a.rm + 1})` : a.kind));
  }

  /**
   * Partial-order reduction: an RM's actions change only its own state (and add its Prepared message), the
   * TM's only the TM's (and add Commit or Abort). RMRcvCommitMsg/RMRcvAbortMsg read what the TM adds and
   * TMRcvPrepared(r) what r adds (each is enabled by the other side), so those pairs are dependent.
   */
  porStep(s: TwoPhaseState, i: number): PorStep {
    const a = this.enabled(s)[i];
    if (a === undefined) throw new RangeError(`twopc-spec: no choice ${i} in this state`);
    const key = 'rm' in a ? `${a.kind}(r${a.rm + 1})` : a.kind;
    if (a.kind === 'TMRcvPrepared') return { key, node: 'tm', reads: `r${a.rm + 1}` };
    if (a.kind === 'TMCommit' || a.kind === 'TMAbort') return { key, node: 'tm', reads: null };
    return { key, node: `r${a.rm + 1}`, reads: a.kind === 'RMRcvCommitMsg' || a.kind === 'RMRcvAbortMsg' ? 'tm' : null };
  }

  step(s: TwoPhaseState, i: number): TwoPhaseState {
    const a = this.enabled(s)[i];
    if (a === undefined) throw new RangeError(`twopc-spec: no choice ${i} in this state`);
    const t: TwoPhaseState = { ...s, rmState: [...s.rmState] };
    switch (a.kind) {
      case 'TMCommit':
        t.tmState = 1;
        t.commitMsg = true;
        break;
      case 'TMAbort':
        t.tmState = 2;
        t.abortMsg = true;
        break;
      case 'TMRcvPrepared':
        t.tmPrepared |= 1 << a.rm;
        break;
      case 'RMPrepare':
        t.rmState[a.rm] = PREPARED;
        t.preparedMsgs |= 1 << a.rm;
        break;
      case 'RMChooseToAbort':
        t.rmState[a.rm] = ABORTED;
        break;
      case 'RMRcvCommitMsg':
        t.rmState[a.rm] = COMMITTED;
        break;
      case 'RMRcvAbortMsg':
        t.rmState[a.rm] = ABORTED;
        break;
    }
    return t;
  }

  /**
   * The RMs are interchangeable (TLC's `SYMMETRY Permutations(RM)`): with symmetry on, the text is
   * the same for every permutation of RMs. Each RM's part of the state is the tuple
   * (rmState, in tmPrepared, its Prepared message in msgs); sorting the tuples gives the
   * minimum over all permutations, i.e. one representative per orbit (exact reduction).
   */
  fingerprint(s: TwoPhaseState, symmetry: boolean): string {
    const rms = s.rmState.map((st, rm) => `${st}${(s.tmPrepared >> rm) & 1}${(s.preparedMsgs >> rm) & 1}`);
    if (symmetry) rms.sort();
    return `${s.tmState}${s.commitMsg ? 1 : 0}${s.abortMsg ? 1 : 0}|${rms.join(',')}`;
  }

  violation(s: TwoPhaseState): ModelViolation | undefined {
    const committed = s.rmState.indexOf(COMMITTED);
    const aborted = s.rmState.indexOf(ABORTED);
    if (committed >= 0 && aborted >= 0) {
      return { invariant: 'TCConsistent', message: `r${committed + 1} committed while r${aborted + 1} aborted` };
    }
    return undefined;
  }

  goals(s: TwoPhaseState): string[] {
    const out: string[] = [];
    if (s.rmState.every((x) => x === COMMITTED)) out.push('all-committed');
    if (s.rmState.every((x) => x === ABORTED)) out.push('all-aborted');
    return out;
  }
}

/** Render a state as the spec's variables (for counterexamples). */
export function describeTwoPhase(s: TwoPhaseState): string {
  const rm = s.rmState.map((x, i) => `r${i + 1}:${RM_STATES[x]}`).join(' ');
  const prepared = s.rmState.map((_, i) => ((s.tmPrepared >> i) & 1 ? `r${i + 1}` : '')).filter(Boolean);
  return `rmState ${rm}; tmState ${TM_STATES[s.tmState]}; tmPrepared {${prepared.join(',')}}`;
}
