// The side panels, in display order: the protocol's own (from the panel
// registry, registry.ts; the generic state panel for a protocol without one),
// the client operations, and every node's status and raw state.

import type { ColumnarModel as TraceModel } from '../../../sim/trace/columns.ts';
import type { Store } from '../store.ts';
import { historyPanel } from './history.ts';
import { nodesPanel } from './nodes.ts';
import type { Panel, ProtocolView } from './panel.ts';
import { protocolPanels } from './registry.ts';

export function buildPanels(store: Store, model: TraceModel): { panels: Panel[]; view: ProtocolView | undefined } {
  const { panels, view } = protocolPanels(store, model);
  const rest = [historyPanel, nodesPanel].map((f) => f(store, model)).filter((p): p is Panel => p !== undefined);
  return { panels: [...panels, ...rest], view };
}
