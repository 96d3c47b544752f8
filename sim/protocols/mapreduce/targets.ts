// MapReduce roles and triggers for aimed faults (`node: '@mapper'`, `on: { event: 'map-done' }`),
// from what workers and the coordinator publish and the messages they send.

import { onPublished, onSend, publishedWhere, type RoleDefinition, type TriggerDefinition } from '../../api/index.ts';
import type { Heartbeat } from './messages.ts';
import type { CoordinatorState, WorkerState } from './state.ts';

const isWorker = (s: WorkerState): boolean => typeof s.inc === 'number' && 'outputs' in s;

export const mapreduceRoles: Record<string, RoleDefinition> = {
  coordinator: { description: 'the coordinator when it is up', resolve: (view) => view.nodeIds.filter((id) => view.role(id) === 'coordinator' && view.isUp(id)) },
  mapper: { description: 'an up worker running a map task', resolve: (view) => publishedWhere<WorkerState>(view, (s) => isWorker(s) && s.task?.startsWith('map') === true) },
  reducer: { description: 'an up worker running a reduce task', resolve: (view) => publishedWhere<WorkerState>(view, (s) => isWorker(s) && s.task?.startsWith('reduce') === true) },
  holder: { description: 'an up worker holding completed map output (crashing it loses that output)', resolve: (view) => publishedWhere<WorkerState>(view, (s) => isWorker(s) && s.outputs.length > 0) },
};

export const mapreduceTriggers: Record<string, TriggerDefinition> = {
  'map-done': { description: 'a worker reports a finished map task (at the worker)', match: onSend('heartbeat', (m) => (m as unknown as Heartbeat).reports.some((r) => r.kind === 'map')) },
  'reduce-started': { description: 'a worker starts a reduce task', match: onPublished<WorkerState>((s, p) => isWorker(s) && s.task?.startsWith('reduce') === true && p?.task !== s.task) },
  'reduce-phase': { description: 'every map is done: the coordinator starts handing out reduces', match: onPublished<CoordinatorState>((s, p) => s.phase === 'reduce' && p?.phase === 'map') },
};

export const mapreduceTargets = { roles: mapreduceRoles, triggers: mapreduceTriggers };
