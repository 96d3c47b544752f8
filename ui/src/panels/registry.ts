// The panel registry: protocol name -> what the viewer shows for that
// protocol's traces beyond the generic views (a panel module, and optionally
// bands along the diagram's lanes with their legend). One line per protocol.
// A trace of a protocol not listed here gets the generic state panel
// (generic.ts: every node's latest published state as a table, changed fields
// marked), unless its published states have the shape one of these panels
// reads (a protocol built on Raft's state, say).
//
// To give a protocol its own panel: write ui/src/panels/<name>.ts exporting a
// `ProtocolView` (panels read only the model: published `state` events via
// `stateAt(model, node, seq)`, the cursor from the store), and add one line
// below. See ui/README.md "Panels for a protocol".

import type { ColumnarModel as TraceModel } from '../../../sim/trace/columns.ts';
import type { Store } from '../store.ts';
import { genericPanel } from './generic.ts';
import { lockView } from './lock.ts';
import type { Panel, ProtocolView } from './panel.ts';
import { raftView } from './raft.ts';
import { ringView } from './ring.ts';
import { twopcView } from './twopc.ts';
import { zookeeperView } from './zookeeper.ts';
import { redlockView } from './redlock.ts';
import { sagaView } from './saga.ts';
import { counterView } from './counter.ts';
import { mapreduceView } from './mapreduce.ts';
import { mergesortView } from './mergesort.ts';

export const PROTOCOL_VIEWS: Record<string, ProtocolView> = {
  raft: raftView,
  ring: ringView,
  lock: lockView,
  twopc: twopcView,
  zookeeper: zookeeperView,
  redlock: redlockView,
  saga: sagaView,
  counter: counterView,
  mapreduce: mapreduceView,
  mergesort: mergesortView,
};

/** The protocol-specific panels of a trace and the view they come from (by protocol name, else by state shape), or the generic panel. */
export function protocolPanels(store: Store, model: TraceModel): { panels: Panel[]; view: ProtocolView | undefined } {
  const build = (v: ProtocolView): Panel[] => v.panels.map((f) => f(store, model)).filter((p): p is Panel => p !== undefined);
  const named = Object.hasOwn(PROTOCOL_VIEWS, model.header.protocol) ? PROTOCOL_VIEWS[model.header.protocol] : undefined;
  if (named) {
    const panels = build(named);
    if (panels.length > 0) return { panels, view: named };
  } else {
    for (const v of Object.values(PROTOCOL_VIEWS)) {
      const panels = build(v);
      if (panels.length > 0) return { panels, view: v };
    }
  }
  return { panels: [genericPanel(store, model)], view: undefined };
}
