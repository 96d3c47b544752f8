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

export class CoordinatorNode implements NodeBehaviour<TwoPcMessage> {
  machine: Coordinator | undefined;
  constructor(private readonly opts: CoordinatorOptions) {}

  private make(ctx: Ctx): Coordinator {
    this.machine = new Coordinator(ctx, this.opts);
    return this.machine;
  }

  onStart(ctx: Ctx): void {
    this.make(ctx).start();
    this.publish(ctx);
  }

  onRecover(ctx: Ctx): void {
    this.make(ctx).recover();
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
    if (name === TIMER_FLUSH) m.onFlush();
    else if (name === timerVote(tx) && kind === 'vote') m.onVoteTimeout(tx);
    else if (name === timerResend(tx) && kind === 'resend') m.onResend(tx);
    else if (name === timerRetry(tx) && kind === 'retry') m.onRetry(tx);
    this.publish(ctx);
  }

  private publish(ctx: Ctx): void {
    const m = this.machine;
    if (m === undefined || !m.dirty) return;
    m.dirty = false;
    ctx.publish(m.snapshot() as never);
  }
}

export class ParticipantNode implements NodeBehaviour<TwoPcMessage> {
  machine: Participant | undefined;
  constructor(private readonly opts: ParticipantOptions) {}

  private make(ctx: Ctx): Participant {
    this.machine = new Participant(ctx, this.opts);
    return this.machine;
  }

  onStart(ctx: Ctx): void {
    this.make(ctx).start();
    this.publish(ctx);
  }

  onRecover(ctx: Ctx): void {
    this.make(ctx).recover();
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
    if (kind === 'work' && name === timerWork(tx)) m.onWorkTimeout(tx);
    else if (kind === 'in-doubt' && name === timerInDoubt(tx)) m.onInDoubtTimeout(tx);
    this.publish(ctx);
  }

  private publish(ctx: Ctx): void {
    const m = this.machine;
    if (m === undefined || !m.dirty) return;
    m.dirty = false;
    ctx.publish(m.snapshot() as never);
  }
}
