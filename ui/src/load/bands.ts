// The lane bands of a big trace (Raft's leader and candidate terms: every published state is read), computed in a
// worker of their own, started by the loader worker after the first paint: the loader stays free to answer the
// page (causal past, search, details) while they are computed. Input: the protocol's name, the model without its
// columns (typed arrays empty: a band function reads the intervals and the states) and the packed states (decoded
// one at a time as read); output: the bands.

import type { ColumnarModel } from '../../../sim/trace/columns.ts';
import { unpackStates, type PackedStates } from '../../../sim/trace/packed-states.ts';
import { PROTOCOL_VIEWS } from '../panels/registry.ts';
import type { LaneBand } from '../panels/panel.ts';

export interface BandsRequest {
  protocol: string;
  model: ColumnarModel;
  packed: PackedStates;
}

self.onmessage = (ev: MessageEvent<BandsRequest>) => {
  const { protocol, model, packed } = ev.data;
  const view = Object.hasOwn(PROTOCOL_VIEWS, protocol) ? PROTOCOL_VIEWS[protocol] : undefined;
  const bands: LaneBand[] = view?.laneBands?.({ ...model, states: unpackStates(packed, 64) }) ?? [];
  (self as unknown as Worker).postMessage(bands);
};
