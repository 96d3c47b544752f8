// Thin NodeBehaviour adapters: they route engine callbacks to the role state
// machines (coordinator.ts, participant.ts) and publish the state after every
// handler that changed it.

import type { NodeBehaviour, NodeContext, NodeId } from '../../engine/types.ts';
import { Coordinator, timerResend, timerRetry, timerVote, TIMER_FLUSH, type CoordinatorOptions } from './coordinator.ts';
import type { TwoPcMessage } from './messages.ts';
import { Participant, timerInDoubt, timerWork, type ParticipantOptions } from './participant.ts';

type Ctx = NodeContext<TwoPcMessage>;

/** The timer names are "<kind>:<tx>"; split them without assuming tx ids have no colon. */
function splitTimer(name: string): [string, string] {
  const i = name.indexOf(':');
  return i < 0 ? [name, ''] : [name.slice(0, i), name.slice(i + 1)];
}

/** What both role machines offer their adapter. */
interface RoleMachine {
  dirty: boolean;
  start(): void;
  recover(): void;
  onMessage(from: NodeId, msg: TwoPcMessage): void;
  snapshot(): unknown;
}

/** One adapter shape for both roles: a fresh machine per incarnation, state published after each handler that changed it. */
abstract class RoleNode<M extends RoleMachine> implements NodeBehaviour<TwoPcMessage> {
  machine: M | undefined;

  protected abstract create(ctx: Ctx): M;
  /** Route a timer (named "<kind>:<tx>") to the machine. */
  protected abstract timer(m: M, kind: string, tx: string, name: string): void;

  onStart(ctx: Ctx): void {
    this.machine = this.create(ctx);
    this.machine.start();
    this.publish(ctx);
  }

  onRecover(ctx: Ctx): void {
    this.machine = this.create(ctx);
    this.machine.recover();
    this.publish(ctx);
  }

  onMessage(ctx: Ctx, from: NodeId, msg: TwoPcMessage): void {
    this.machine?.onMessage(from, msg);
    this.publish(ctx);
  }

  onTimer(ctx: Ctx, name: string): void {
    const m = this.machine;
    if (m === undefined) return;
    const [kind, tx] = splitTimer(name);
    this.timer(m, kind, tx, name);
    this.publish(ctx);
  }

  private publish(ctx: Ctx): void {
    const m = this.machine;
    if (m === undefined || !m.dirty) return;
    m.dirty = false;
    ctx.publish(m.snapshot() as never);
  }
}

export class CoordinatorNode extends RoleNode<Coordinator> {
  constructor(private readonly opts: CoordinatorOptions) {
    super();
  }

  protected create(ctx: Ctx): Coordinator {
    return new Coordinator(ctx, this.opts);
  }

  protected timer(m: Coordinator, kind: string, tx: string, name: string): void {
    if (name === TIMER_FLUSH) m.onFlush();
    else if (name === timerVote(tx) && kind === 'vote') m.onVoteTimeout(tx);
    else if (name === timerResend(tx) && kind === 'resend') m.onResend(tx);
    else if (name === timerRetry(tx) && kind === 'retry') m.onRetry(tx);
  }
}

export class ParticipantNode extends RoleNode<Participant> {
  constructor(private readonly opts: ParticipantOptions) {
    super();
  }

  protected create(ctx: Ctx): Participant {
    return new Participant(ctx, this.opts);
  }

  protected timer(m: Participant, kind: string, tx: string, name: string): void {
    if (kind === 'work' && name === timerWork(tx)) m.onWorkTimeout(tx);
    else if (kind === 'in-doubt' && name === timerInDoubt(tx)) m.onInDoubtTimeout(tx);
  }
}
