// What every side panel is: a root element and an update at each cursor move;
// and what a protocol registers (registry.ts): its panels and, optionally,
// bands along the diagram's lanes.

import type { Micros, NodeId } from '../../../sim/engine/types.ts';
import type { ColumnarModel as TraceModel } from '../../../sim/trace/columns.ts';
import type { Store } from '../store.ts';

export interface Panel {
  root: HTMLElement;
  update(): void;
}

/** Builds a panel for a trace, or returns undefined when the trace has nothing it shows. */
export type PanelFactory = (store: Store, model: TraceModel) => Panel | undefined;

/** A band drawn along a node's lane from `fromT` to `toT` (true time, µs): a role held, a phase. */
export interface LaneBand {
  node: NodeId;
  fromT: Micros;
  toT: Micros;
  /** CSS colour. */
  color: string;
  /** Height in px (the lane is about 38 px). */
  height: number;
  /** Written inside the band when it is wide enough. */
  label?: string;
}

/** What the viewer shows for one protocol (one entry in registry.ts). */
export interface ProtocolView {
  panels: PanelFactory[];
  /** Bands along the lanes, computed once per trace. */
  laneBands?: (model: TraceModel) => LaneBand[];
  /** Legend entries for the bands: text and CSS colour. */
  legend?: { label: string; color: string }[];
}
