// Compare two runs (as ShiViz does): a second trace (the same scenario with
// another seed, a failing run and its shrunk form, a run and its branch) drawn
// under the first, lane for lane (the node order of each header: the same for
// runs of one scenario) on the same time window, zoomed and panned together,
// and the first event where the two differ marked in both and named. Events
// are compared by what the diagram shows of them: time, kind, node, other
// end and message type, from the columns; then the events that identify a
// fault are compared whole (firstFaultDifference): the fault events
// themselves (a partition's groups, a heal's label) and the cluster-wide log
// lines of the fault machinery ("fault 1: crash @follower -> crash n5"),
// which name the fault's timeline entry and its resolution, so a branch that
// renumbers a fault or resolves its target to another node is told apart.

import type { ColumnarModel } from '../../sim/trace/columns.ts';
import { EVENT_TYPES } from '../../sim/trace/reader.ts';
import { describeEvent } from '../../sim/trace/chrome.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { Diagram } from './diagram.ts';
import { el, replace } from './dom.ts';
import { fmtTime } from './format.ts';
import { Loader } from './load/client.ts';
import { Store, SYNC_LIMIT } from './store.ts';

/** What the diagram shows of event s: time, kind, node, other end, message type. */
function signature(m: ColumnarModel, s: number): string {
  const l = m.lane[s] as number;
  const p = m.peer[s] as number;
  const mi = m.msgOf[s] as number;
  return `${m.t[s]}|${EVENT_TYPES[m.kind[s] as number]}|${l >= 0 ? m.nodes[l] : ''}|${p >= 0 ? m.nodes[p] : ''}|${mi >= 0 ? m.messageTypes[m.mType[mi] as number] : ''}`;
}

/** The first seq at which two traces differ (one being a prefix of the other counts), or -1 when they show the same events. */
export function firstDifference(a: ColumnarModel, b: ColumnarModel): number {
  const n = Math.min(a.count, b.count);
  for (let s = 0; s < n; s++) if (a.t[s] !== b.t[s] || a.kind[s] !== b.kind[s] || signature(a, s) !== signature(b, s)) return s;
  return a.count === b.count ? -1 : n;
}

/** Event kinds of the fault machinery: compared whole, not only by their columns. */
const FAULT_KINDS = new Set(['crash', 'restart', 'pause', 'resume', 'partition', 'heal', 'network', 'slow', 'clock', 'disk', 'log'].map((k) => EVENT_TYPES.indexOf(k as never)));

/** The seqs before `limit` whose events identify a fault: fault events, and log lines of no node (the fault machinery's). */
export function faultSeqs(m: ColumnarModel, limit: number): number[] {
  const out: number[] = [];
  const log = EVENT_TYPES.indexOf('log');
  for (let s = 0; s < Math.min(limit, m.count); s++) {
    const k = m.kind[s] as number;
    if (FAULT_KINDS.has(k) && (k !== log || (m.lane[s] as number) < 0)) out.push(s);
  }
  return out;
}

/**
 * The first seq before `limit` (the columns' first difference) at which the events that identify a fault
 * differ in full (their JSON), else `limit`. `eventsA`/`eventsB` give the events of the seqs asked for.
 */
export async function firstFaultDifference(a: ColumnarModel, limit: number, eventsA: (seqs: number[]) => Promise<TraceEvent[]>, eventsB: (seqs: number[]) => Promise<TraceEvent[]>): Promise<number> {
  const seqs = faultSeqs(a, limit);
  if (seqs.length === 0) return limit;
  const [ea, eb] = await Promise.all([eventsA(seqs), eventsB(seqs)]);
  for (let i = 0; i < seqs.length; i++) if (JSON.stringify(ea[i]) !== JSON.stringify(eb[i])) return seqs[i] as number;
  return limit;
}

/** The events of `seqs` from a store: kept in the page, or asked of its loader. */
async function eventsOf(st: Store, seqs: number[]): Promise<TraceEvent[]> {
  const all = st.info?.events;
  if (all) return seqs.map((s) => all[s] as TraceEvent);
  const src = st.info?.remote;
  if (!src) return [];
  return Promise.all(seqs.map(async (s) => (await src.events(s, s + 1))[0] as TraceEvent));
}

export class Compare {
  readonly root: HTMLElement;
  readonly store = new Store();
  private readonly diagram: Diagram;
  private readonly summary: HTMLDivElement;
  private loader: Loader | undefined;
  private syncing = false;
  /** The first differing seq, or -1. */
  diff = -1;

  constructor(
    parent: HTMLElement,
    private readonly main: Store,
  ) {
    this.summary = el('div', { class: 'small', testid: 'compare-summary' });
    const close = el('button', { testid: 'compare-close', onclick: () => this.close() }, 'close');
    this.root = el('section', { class: 'panel compare hidden', testid: 'compare' }, el('h3', null, 'Compared with ', close), this.summary);
    parent.appendChild(this.root);
    this.diagram = new Diagram(this.root, this.store);
    // Its own test ids: "diagram" names the main one.
    this.diagram.root.dataset.testid = 'compare-diagram';
    this.diagram.root.querySelector('[data-testid=diagram-tip]')?.setAttribute('data-testid', 'compare-diagram-tip');
    // One time window for both.
    main.on('window', () => this.follow(main, this.store));
    this.store.on('window', () => this.follow(this.store, main));
    main.on('model', () => {
      if (this.store.model) this.mark();
    });
    this.store.on('details', () => this.describe());
    main.on('details', () => this.describe());
  }

  private follow(from: Store, to: Store): void {
    if (this.syncing || !to.model) return;
    this.syncing = true;
    to.setWindow(from.window[0], from.window[1]);
    this.syncing = false;
  }

  async open(file: File): Promise<void> {
    const next = new Loader();
    try {
      const msg = await next.open({ kind: 'blob', blob: file, name: file.name }, SYNC_LIMIT, () => {});
      this.loader?.terminate();
      this.loader = next;
      this.root.classList.remove('hidden');
      this.root.dataset.source = file.name;
      this.store.load(msg.model, { source: file.name, warnings: msg.warnings, footer: msg.footer, timings: {}, events: msg.events, remote: msg.events ? undefined : next });
      this.follow(this.main, this.store);
      this.mark();
      // Drawn: the loader's background work (hash check, search filters) may start.
      next.drawn();
    } catch (err) {
      next.terminate();
      const e = err as { title?: string; message?: string };
      this.root.classList.remove('hidden');
      replace(this.summary, el('span', { class: 'bad', testid: 'compare-error' }, `${e.title ?? 'Cannot compare:'} ${e.message ?? String(err)}`));
    }
  }

  close(): void {
    this.loader?.terminate();
    this.loader = undefined;
    this.root.classList.add('hidden');
  }

  /** Find and mark the first difference: the cursor of both on it, named in the summary. */
  private mark(): void {
    const a = this.main.model;
    const b = this.store.model;
    if (!a || !b) return;
    const columns = firstDifference(a, b);
    this.diff = columns;
    this.show();
    // Then the faults, compared whole, up to the columns' first difference.
    const limit = columns < 0 ? Math.min(a.count, b.count) : columns;
    void firstFaultDifference(a, limit, (q) => eventsOf(this.main, q), (q) => eventsOf(this.store, q)).then((s) => {
      if (this.main.model !== a || this.store.model !== b || s >= limit) return;
      this.diff = s;
      this.show();
    });
  }

  private show(): void {
    const a = this.main.model;
    const b = this.store.model;
    if (!a || !b) return;
    if (this.diff >= 0) {
      const s = this.diff;
      if (s < a.count) this.main.setCursor(s);
      if (s < b.count) this.store.setCursor(s);
      this.main.highlight = s < a.count ? [s] : [];
      this.store.highlight = s < b.count ? [s] : [];
      this.main.emit('highlight');
      this.store.emit('highlight');
    }
    this.describe();
  }

  private describe(): void {
    const a = this.main.model;
    const b = this.store.model;
    if (!a || !b) return;
    const head = `${b.header.scenario} seed ${b.header.seed} (${this.store.info?.source ?? ''}), ${b.count} events`;
    if (this.diff < 0) {
      replace(this.summary, head, ': ', el('strong', { testid: 'compare-first-diff', class: 'good' }, 'the same events as the trace above'));
      return;
    }
    const s = this.diff;
    const say = (st: Store, m: ColumnarModel): string => {
      if (s >= m.count) return '(no more events)';
      const ev = st.event(s);
      return `t=${fmtTime(m.t[s] as number)} ${ev ? describeEvent(ev) : EVENT_TYPES[m.kind[s] as number]}`;
    };
    replace(
      this.summary,
      head,
      ': first difference at ',
      el('strong', { testid: 'compare-first-diff', class: 'bad' }, `event #${s}`),
      el('div', { class: 'mono small', testid: 'compare-diff-above' }, `above: ${say(this.main, a)}`),
      el('div', { class: 'mono small', testid: 'compare-diff-below' }, `below: ${say(this.store, b)}`),
      ' ',
      el('button', { testid: 'compare-jump', onclick: () => this.show() }, 'jump to it'),
    );
  }
}
