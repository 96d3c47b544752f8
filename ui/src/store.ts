// The viewer's state: the loaded trace, the cursor (an event seq), the
// filters and the visible time window. Views subscribe to the parts they draw.

import { describeEvent, eventNode } from '../../sim/trace/chrome.ts';
import { causalPast, type TraceModel } from '../../sim/trace/model.ts';
import type { ParsedTrace } from '../../sim/trace/parse.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';

export type Topic = 'model' | 'cursor' | 'filter' | 'window';

export interface LoadInfo {
  /** Where the trace came from: a file name, a URL, "live: <scenario> seed <s>". */
  source: string;
  parsed: ParsedTrace;
  timings: Record<string, number>;
}

export class Store {
  model: TraceModel | undefined;
  info: LoadInfo | undefined;
  /** seq of the event the cursor is on: everything shows the state after it. */
  cursor = 0;
  hiddenNodes = new Set<string>();
  hiddenTypes = new Set<string>();
  search = '';
  /** Visible time window [t0, t1] of the diagram. */
  window: [number, number] = [0, 1];
  /** Show the causal past of the cursor event. */
  causal = false;
  private causalCache: { seq: number; marks: Uint8Array } | undefined;
  private texts: string[] | undefined;
  private listeners = new Map<Topic, Set<() => void>>();

  on(topic: Topic, fn: () => void): void {
    let s = this.listeners.get(topic);
    if (!s) this.listeners.set(topic, (s = new Set()));
    s.add(fn);
  }

  emit(topic: Topic): void {
    for (const fn of this.listeners.get(topic) ?? []) fn();
  }

  load(model: TraceModel, info: LoadInfo): void {
    this.model = model;
    this.info = info;
    this.cursor = 0;
    this.hiddenNodes.clear();
    this.hiddenTypes.clear();
    this.search = '';
    this.texts = undefined;
    this.causalCache = undefined;
    this.window = [model.startT, model.endT];
    this.emit('model');
    this.emit('window');
    this.emit('filter');
    this.emit('cursor');
  }

  setCursor(seq: number): void {
    const m = this.model;
    if (!m || m.events.length === 0) return;
    const c = Math.max(0, Math.min(m.events.length - 1, Math.round(seq)));
    if (c === this.cursor) return;
    this.cursor = c;
    this.emit('cursor');
  }

  setWindow(t0: number, t1: number): void {
    this.window = [t0, t1];
    this.emit('window');
  }

  /** Marks (per seq) of the events in the causal past of the cursor, when that view is on. */
  causalMarks(): Uint8Array | undefined {
    if (!this.causal || !this.model || this.model.events.length === 0) return undefined;
    if (this.causalCache?.seq !== this.cursor) this.causalCache = { seq: this.cursor, marks: causalPast(this.model, this.cursor) };
    return this.causalCache.marks;
  }

  cursorEvent(): TraceEvent | undefined {
    return this.model?.events[this.cursor];
  }

  /** The text of event `seq` as search sees it (computed once per trace, on first search). */
  text(seq: number): string {
    const m = this.model;
    if (!m) return '';
    if (!this.texts) this.texts = m.events.map((e) => `#${e.seq} ${describeEvent(e)}`.toLowerCase());
    return this.texts[seq] ?? '';
  }

  /** Does an event pass the node, message-type and search filters? */
  passes(ev: TraceEvent): boolean {
    const m = this.model;
    if (!m) return false;
    if (this.hiddenNodes.size > 0) {
      if ('from' in ev && 'to' in ev) {
        if (this.hiddenNodes.has(ev.from) || this.hiddenNodes.has(ev.to)) return false;
      } else {
        const n = eventNode(ev);
        if (n !== undefined && this.hiddenNodes.has(n)) return false;
      }
    }
    if (this.hiddenTypes.size > 0) {
      const mi = m.messageOfEvent[ev.seq] ?? -1;
      if (mi >= 0 && this.hiddenTypes.has(m.messages[mi]!.type)) return false;
    }
    if (this.search !== '' && !this.text(ev.seq).includes(this.search)) return false;
    return true;
  }

  filtersActive(): boolean {
    return this.hiddenNodes.size > 0 || this.hiddenTypes.size > 0 || this.search !== '';
  }

  /** Next (dir 1) or previous (dir -1) event from the cursor that passes the filters. */
  step(dir: 1 | -1): void {
    const m = this.model;
    if (!m) return;
    for (let s = this.cursor + dir; s >= 0 && s < m.events.length; s += dir) {
      if (this.passes(m.events[s]!)) {
        this.setCursor(s);
        return;
      }
    }
  }
}
