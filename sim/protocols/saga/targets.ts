// Saga roles and triggers for aimed faults.

import { onSend, type RoleDefinition, type TriggerDefinition } from '../../api/index.ts';
import { ORCHESTRATOR, SERVICES } from './steps.ts';

export const sagaRoles: Record<string, RoleDefinition> = {
  orchestrator: { description: 'the orchestrator when up', resolve: (view) => (view.isUp(ORCHESTRATOR) ? [ORCHESTRATOR] : []) },
  service: { description: 'a service that is up', resolve: (view) => SERVICES.filter((s) => view.isUp(s)) },
};

export const sagaTriggers: Record<string, TriggerDefinition> = {
  'step-sent': { description: 'the orchestrator sends a step or a compensation', match: onSend('do') },
  'step-done': { description: 'a service answers a step or a compensation', match: onSend('done') },
  'saga-ended': { description: 'the orchestrator announces a saga outcome', match: onSend('outcome') },
};

export const sagaTargets = { roles: sagaRoles, triggers: sagaTriggers };
