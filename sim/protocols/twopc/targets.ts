// Two-phase commit's roles and triggers for targeted faults (`node: '@coordinator'`,
// `on: { event: 'vote-logged' }`), read from published state (CoordinatorState,
// ParticipantState) and the trace's messages.

import { onPublished, onSend, publishedWhere } from '../../engine/targets.ts';
import type { RoleDefinition, TriggerDefinition } from '../../api/protocol.ts';
import { COORDINATOR } from './accounts.ts';
import type { CoordinatorState, ParticipantState } from './state.ts';

const isParticipant = (s: ParticipantState): boolean => Array.isArray(s.inDoubt);
const txStates = (s: ParticipantState | undefined): Record<string, string> => s?.txs ?? {};
const coTxs = (s: CoordinatorState | undefined): CoordinatorState['txs'] => s?.txs ?? {};

/** Some transaction moved into `to` (from another state, or newly seen) at a participant. */
function participantEntered(to: string): TriggerDefinition['match'] {
  return onPublished<ParticipantState>((s, p) => isParticipant(s) && Object.entries(s.txs).some(([tx, st]) => st === to && txStates(p)[tx] !== to));
}

export const twopcRoles: Record<string, RoleDefinition> = {
  coordinator: { description: `the transaction coordinator (${COORDINATOR}) when it is up`, resolve: (view) => (view.isUp(COORDINATOR) ? [COORDINATOR] : []) },
  participant: { description: 'an up participant (a shard)', resolve: (view) => publishedWhere<ParticipantState>(view, (s) => isParticipant(s)) },
  'in-doubt': {
    description: 'an up participant that voted yes and does not know the outcome yet (the 2PC blocking window)',
    resolve: (view) => publishedWhere<ParticipantState>(view, (s) => isParticipant(s) && s.inDoubt.length > 0),
  },
  prepared: {
    description: 'an up participant with a prepared (logged yes vote) transaction',
    resolve: (view) => publishedWhere<ParticipantState>(view, (s) => isParticipant(s) && Object.values(s.txs).includes('prepared')),
  },
  working: {
    description: 'an up participant with a transaction it has done work for but not voted on yet',
    resolve: (view) => publishedWhere<ParticipantState>(view, (s) => isParticipant(s) && Object.values(s.txs).includes('working')),
  },
};

export const twopcTriggers: Record<string, TriggerDefinition> = {
  'prepare-sent': { description: 'the coordinator sends a Prepare to a participant (phase 1 starts)', match: onSend('prepare') },
  'participant-voted': { description: 'a participant sends its vote (yes or no)', match: onSend('vote') },
  'vote-logged': { description: 'a participant logs a yes vote: a transaction becomes prepared (in doubt)', match: participantEntered('prepared') },
  'coordinator-decided': {
    description: 'the coordinator decides a transaction (commit or abort): it leaves the preparing state',
    match: onPublished<CoordinatorState>((s, p) =>
      Object.entries(s.txs ?? {}).some(([tx, t]) => (t.state === 'committing' || t.state === 'aborting') && coTxs(p)[tx]?.state !== t.state),
    ),
  },
  'decision-sent': { description: 'the coordinator sends a decision (phase 2) to a participant', match: onSend('decision') },
  'participant-committed': { description: 'a participant applies a commit', match: participantEntered('committed') },
  'participant-aborted': { description: 'a participant applies an abort', match: participantEntered('aborted') },
};

/** What protocol.ts spreads into its definition. */
export const twopcTargets = { roles: twopcRoles, triggers: twopcTriggers };
