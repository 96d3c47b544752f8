// The side panels, in display order. Protocol panels appear only for traces
// whose published states have their shape; the nodes panel is always there.

import type { ColumnarModel as TraceModel } from '../../../sim/trace/columns.ts';
import type { Store } from '../store.ts';
import { historyPanel } from './history.ts';
import { lockPanel } from './lock.ts';
import { nodesPanel } from './nodes.ts';
import type { Panel, PanelFactory } from './panel.ts';
import { raftPanel } from './raft.ts';
import { ringPanel } from './ring.ts';
import { twopcPanel } from './twopc.ts';

const factories: PanelFactory[] = [raftPanel, ringPanel, lockPanel, twopcPanel, historyPanel, nodesPanel];

export function buildPanels(store: Store, model: TraceModel): Panel[] {
  return factories.map((f) => f(store, model)).filter((p): p is Panel => p !== undefined);
}
