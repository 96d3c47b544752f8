// The event list with its filters: by node, by message type, and a text
// search over each event's description. The list is virtual (only the rows on
// screen exist), so a 100,000-event trace scrolls as fast as a small one.

import { describeEvent } from '../../sim/trace/chrome.ts';
import { EVENT_TYPES } from '../../sim/trace/reader.ts';
import { typeColor } from './diagram.ts';
import { el, replace } from './dom.ts';
import { fmtTime } from './format.ts';
import type { Store } from './store.ts';
import { timed, yieldToPage } from './perf.ts';

const ROW = 20;
/** Characters of an event's description a row shows (a Raft state's JSON can be many KB: the row shows one line of it). */
const ROW_CHARS = 400;
/** Row descriptions kept (by seq) between renderings. */
const MAX_DESCS = 4096;

export class EventsList {
  readonly root: HTMLDivElement;
  readonly searchBox: HTMLInputElement;
  private readonly nodeBox: HTMLDivElement;
  private readonly typeBox: HTMLDivElement;
  private readonly count: HTMLSpanElement;
  private readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly rows: HTMLDivElement;
  /**
   * seqs of the events that pass the filters, or undefined when every event does (no filter on): the list is then
   * 0..count-1 and no array is built (issue 15: filling a 1M-entry array of seqs was a 100-300 ms task at each
   * partial model of a big trace).
   */
  private shown: Int32Array | undefined = new Int32Array(0);
  /** How many events the list shows. */
  private shownCount = 0;
  /** The scroller's height and scroll position (px), as last seen or set here. */
  private height = 300;
  private scrollTop = 0;
  private searchTimer = 0;
  /** Each shown row's description (cut to ROW_CHARS), by seq: a re-rendering of the same rows writes none out again. */
  private descs = new Map<number, string>();
  /** A rendering deferred to the next frame: 'rows' (the visible rows) or 'filter' (the list, then the rows). */
  private deferred: 'rows' | 'filter' | undefined;

  constructor(
    parent: HTMLElement,
    private readonly store: Store,
  ) {
    this.searchBox = el('input', { testid: 'search', class: 'search', attrs: { type: 'search', placeholder: 'search events  (/)', 'aria-label': 'search events' } });
    this.searchBox.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => store.setSearch(this.searchBox.value), 120);
    });
    this.searchBox.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        store.step(ev.shiftKey ? -1 : 1);
        ev.preventDefault();
      }
      if (ev.key === 'Escape') this.searchBox.blur();
    });
    this.nodeBox = el('div', { class: 'chips', testid: 'node-filter' });
    this.typeBox = el('div', { class: 'chips', testid: 'type-filter' });
    this.count = el('span', { class: 'muted', testid: 'event-count' });
    this.spacer = el('div', { class: 'spacer' });
    this.rows = el('div', { class: 'rows' });
    this.scroller = el('div', { class: 'event-scroll', testid: 'events' }, this.spacer, this.rows);
    this.scroller.addEventListener('scroll', () => {
      this.scrollTop = this.scroller.scrollTop;
      this.renderRows();
    });
    // The list's height, kept (reading clientHeight after a change of the page lays it out again at once: on a big
    // trace's partial models, most of the list's time).
    new ResizeObserver(() => {
      this.height = this.scroller.clientHeight || 300;
      this.renderRows();
    }).observe(this.scroller);
    this.root = el(
      'section',
      { class: 'panel events-panel' },
      el('h3', null, 'Events'),
      el('div', { class: 'filter-row' }, el('span', { class: 'muted' }, 'nodes '), this.nodeBox),
      el('div', { class: 'filter-row' }, el('span', { class: 'muted' }, 'messages '), this.typeBox),
      el('div', { class: 'filter-row' }, this.searchBox, ' ', this.count),
      this.scroller,
    ) as HTMLDivElement;
    parent.appendChild(this.root);
    store.on('model', () => {
      this.descs.clear();
      this.buildChips();
      // A partial model (a big trace loading, one a second at most) is listed at the next frame: the model's arrival
      // is a task of its own (issue 15); the complete one at once.
      if (store.info?.loading) this.defer('filter');
      else this.refilter();
    });
    store.on('filter', () => this.refilter());
    // A big trace's search reports its matches as they are found (every 40 ms, and faster when the page is behind),
    // and the details of the rows come back from the worker a chunk at a time: both are drawn at most once a frame
    // (at 1M events, refiltering and re-rendering at each report took the page seconds behind the search).
    store.on('search', () => (store.searching() ? this.defer('filter') : this.refilter()));
    // A refiltering at the next frame follows the cursor then.
    store.on('cursor', () => this.deferred !== 'filter' && this.followCursor());
    store.on('details', () => this.defer('rows'));
    store.on('causal', () => this.renderRows());
  }

  /** Render in a task of its own (yieldToPage; or within 100 ms), once however often asked. */
  private defer(what: 'rows' | 'filter'): void {
    if (this.deferred === 'filter' || this.deferred === what) return;
    const first = this.deferred === undefined;
    this.deferred = what;
    if (!first) return;
    let done = false;
    const run = (): void => {
      if (done) return;
      done = true;
      const d = this.deferred;
      this.deferred = undefined;
      if (d === 'filter') timed('list', () => this.refilter());
      else if (d === 'rows') this.renderRows();
    };
    // In a task of its own (not in the next frame's animation callbacks with the diagram's drawing: the two made one
    // long task of a big trace's first whole-run frame, issue 15), once however many changes came meanwhile.
    void yieldToPage().then(run);
    setTimeout(run, 100);
  }

  /** The description a row shows of event `seq` (cut to ROW_CHARS), or undefined while its details are being read. */
  private desc(seq: number): string | undefined {
    const known = this.descs.get(seq);
    if (known !== undefined) return known;
    const ev = this.store.event(seq, false);
    if (!ev) return undefined;
    const d = describeEvent(ev);
    const cut = d.length > ROW_CHARS ? `${d.slice(0, ROW_CHARS)}…` : d;
    if (this.descs.size >= MAX_DESCS) this.descs.clear();
    this.descs.set(seq, cut);
    return cut;
  }

  /** The nodes and message types the chips were built for (a partial model of the same trace often has the same). */
  private chipsOf = '';

  private buildChips(): void {
    const m = this.store.model;
    if (!m) return;
    const of = JSON.stringify([m.nodes, m.messageTypes]);
    if (this.store.search === '') this.searchBox.value = '';
    if (of === this.chipsOf && this.store.hiddenNodes.size === 0 && this.store.hiddenTypes.size === 0) {
      // The same chips, nothing hidden: every box checked (another trace with the same nodes may follow one with some unchecked).
      for (const box of this.root.querySelectorAll<HTMLInputElement>('.chips input')) box.checked = true;
      return;
    }
    this.chipsOf = of;
    const chip = (label: string, set: Set<string>, testid: string, color?: string): HTMLLabelElement => {
      const box = el('input', { attrs: { type: 'checkbox' } });
      // Checked unless hidden: the same trace's chips are rebuilt as more of it loads, its filters kept.
      box.checked = !set.has(label);
      box.addEventListener('change', () => {
        if (box.checked) set.delete(label);
        else set.add(label);
        this.store.emit('filter');
      });
      return el('label', { class: 'chip', testid }, box, color ? el('span', { class: 'swatch', style: { background: color } }) : null, label);
    };
    replace(this.nodeBox, ...m.nodes.map((n) => chip(n, this.store.hiddenNodes, `node-chip-${n}`)));
    replace(this.typeBox, ...(m.messageTypes.length ? m.messageTypes.map((t) => chip(t, this.store.hiddenTypes, `type-chip-${t}`, typeColor(m.messageTypes, t))) : ['(no messages)']));
    if (this.store.search === '') this.searchBox.value = '';
  }

  private refilter(): void {
    const m = this.store.model;
    if (!m) return;
    // A deferred rendering is done now.
    if (this.deferred !== undefined) this.deferred = undefined;
    if (!this.store.filtersActive()) {
      // Every event: no array (row i is event i).
      this.shown = undefined;
      this.shownCount = m.count;
    } else {
      this.shown = this.store.passing();
      this.shownCount = this.shown.length;
    }
    const soFar = this.store.searchSoFar;
    this.count.textContent = this.store.info?.loading
      ? this.store.search !== ''
        ? `${m.count} events loaded so far; the search runs once the whole trace is loaded…`
        : `${m.count} events loaded so far…`
      : this.store.searching()
      ? soFar && soFar.searched > 0
        ? `${this.shownCount} found so far, ${soFar.searched} of ${m.count} events searched…`
        : `searching ${m.count} events…`
      : `${this.shownCount} of ${m.count} events`;
    this.spacer.style.height = `${this.shownCount * ROW}px`;
    // followCursor renders the rows.
    this.followCursor();
  }

  /** Index in `shown` of the last shown event at or before the cursor. */
  private cursorIndex(): number {
    const c = this.store.cursor;
    const shown = this.shown;
    if (!shown) return Math.max(0, Math.min(c, this.shownCount - 1));
    let lo = 0;
    let hi = this.shownCount - 1;
    let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (shown[mid]! <= c) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  private followCursor(): void {
    const i = this.cursorIndex();
    const top = i * ROW;
    const h = this.height;
    if (top < this.scrollTop || top > this.scrollTop + h - ROW) {
      this.scrollTop = Math.max(0, Math.min(top - h / 3, this.shownCount * ROW - h));
      this.scroller.scrollTop = this.scrollTop;
    }
    this.renderRows();
  }

  private renderRows(): void {
    const m = this.store.model;
    if (!m) return;
    const h = this.height;
    const first = Math.max(0, Math.floor(this.scrollTop / ROW) - 5);
    const last = Math.min(this.shownCount, first + Math.ceil(h / ROW) + 10);
    const rows: HTMLElement[] = [];
    const marks = this.store.causalMarks();
    const shown = this.shown;
    const seqs = shown ? shown.subarray(first, Math.max(first, last)) : Int32Array.from({ length: Math.max(0, last - first) }, (_, k) => first + k);
    this.store.prefetchRows(seqs);
    for (let i = first; i < last; i++) {
      const seq = shown ? shown[i]! : i;
      const desc = this.desc(seq);
      const type = EVENT_TYPES[m.kind[seq] as number] as string;
      const cls = `row ev-${type}${seq === this.store.cursor ? ' current' : ''}${marks && marks[seq] === 1 && seq !== this.store.cursor ? ' causal' : ''}`;
      const row = el('div', { class: cls, attrs: { 'data-seq': String(seq) }, onclick: () => this.store.setCursor(seq) }, el('span', { class: 'seq' }, `#${seq}`), el('span', { class: 't' }, fmtTime(m.t[seq] as number)), el('span', { class: 'desc' }, desc ?? '…'));
      row.style.top = `${i * ROW}px`;
      rows.push(row);
    }
    replace(this.rows, ...rows);
  }
}
