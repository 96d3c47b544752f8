// Merge sort roles and triggers for aimed faults (`node: '@holder'`, `on: { event: 'run-sorted' }`).

import { onPublished, onSend, publishedWhere, type RoleDefinition, type TriggerDefinition } from '../../api/index.ts';
import type { SortCoordinatorState, SortWorkerState } from './state.ts';

const isWorker = (s: SortWorkerState): boolean => Array.isArray(s.runs);

export const mergesortRoles: Record<string, RoleDefinition> = {
  holder: { description: 'an up worker holding a sorted run (crashing it loses the run)', resolve: (view) => publishedWhere<SortWorkerState>(view, (s) => isWorker(s) && s.runs.length > 0) },
  merger: { description: 'an up worker merging a range', resolve: (view) => publishedWhere<SortWorkerState>(view, (s) => isWorker(s) && s.task?.startsWith('merge') === true) },
};

export const mergesortTriggers: Record<string, TriggerDefinition> = {
  'run-sorted': { description: 'a worker reports a sorted run (at the worker)', match: onSend('sorted') },
  'merge-started': { description: 'a worker asks for the slices of a range', match: onSend('slice') },
  'merge-phase': { description: 'every chunk is sorted: the coordinator hands out the merges', match: onPublished<SortCoordinatorState>((s, p) => s.phase === 'merge' && p?.phase === 'sort') },
};

export const mergesortTargets = { roles: mergesortRoles, triggers: mergesortTriggers };
