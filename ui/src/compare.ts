// Compare two runs (as ShiViz does): a second trace (the same scenario with
// another seed, a failing run and its shrunk form, a run and its branch) drawn
// under the first, lane for lane (the node order of each header: the same for
// runs of one scenario) on the same time window, zoomed and panned together,
// and the first event where the two differ marked in both and named. Events
// are compared by what the diagram shows of them: time, kind, node, other
// end and message type, from the columns (no text is read).

import type { ColumnarModel } from '../../sim/trace/columns.ts';
import { EVENT_TYPES } from '../../sim/trace/reader.ts';
import { describeEvent } from '../../sim/trace/chrome.ts';
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
    const picker = el('input', { testid: 'compare-file', attrs: { type: 'file', accept: '.jsonl,.json,.txt' } });
    picker.hidden = true;
    picker.addEventListener('change', () => {
      const f = picker.files?.[0];
      if (f) void this.open(f);
      picker.value = '';
    });
    this.summary = el('div', { class: 'small', testid: 'compare-summary' });
    const close = el('button', { testid: 'compare-close', onclick: () => this.close() }, 'close');
    this.root = el('section', { class: 'panel compare hidden', testid: 'compare' }, el('h3', null, 'Compared with ', close), this.summary);
    parent.appendChild(picker);
    parent.appendChild(this.root);
    this.diagram = new Diagram(this.root, this.store);
    // Its own test ids: "diagram" names the main one.
    this.diagram.root.dataset.testid = 'compare-diagram';
    this.diagram.root.querySelector('[data-testid=diagram-tip]')?.setAttribute('data-testid', 'compare-diagram-tip');
    this.openButton = el('button', { testid: 'compare-open', title: 'open a second trace to compare with this one (aligned lanes, same time window, first difference marked)', onclick: () => picker.click() }, 'Compare with…');
    // One time window for both.
    main.on('window', () => this.follow(main, this.store));
    this.store.on('window', () => this.follow(this.store, main));
    main.on('model', () => {
      if (this.store.model) this.mark();
    });
    this.store.on('details', () => this.describe());
    main.on('details', () => this.describe());
  }

  readonly openButton: HTMLButtonElement;

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
    this.diff = firstDifference(a, b);
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
      el('button', { testid: 'compare-jump', onclick: () => this.mark() }, 'jump to it'),
    );
  }
}
