// What every side panel is: a root element and an update at each cursor move.

import type { ColumnarModel as TraceModel } from '../../../sim/trace/columns.ts';
import type { Store } from '../store.ts';

export interface Panel {
  root: HTMLElement;
  update(): void;
}

/** Builds a panel for a trace, or returns undefined when the trace has nothing it shows. */
export type PanelFactory = (store: Store, model: TraceModel) => Panel | undefined;
