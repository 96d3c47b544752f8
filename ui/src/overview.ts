// The overview strip: the whole run at a glance (message density per lane
// slice of time, outages, violations) with a d3 brush that sets the window the
// diagram shows. Brushing moves the diagram; zooming the diagram moves the brush.

import { brushX, scaleLinear, select, type BrushBehavior } from 'd3';
import { OUTCOME } from '../../sim/trace/columns.ts';
import { COLORS, resizeCanvas } from './diagram.ts';
import type { Store } from './store.ts';
import { sliced, timed, yieldToPage } from './perf.ts';

const LEFT = 70;
const RIGHT = 16;
const HEIGHT = 46;
/** Above this many messages the histogram is counted in slices, the page live between them (issue 15). */
const SLICE_ABOVE = 50_000;

export class Overview {
  readonly root: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly svg: SVGSVGElement;
  private readonly brush: BrushBehavior<unknown>;
  private width = 800;
  private moving = false;
  private redrawPending = false;

  constructor(
    parent: HTMLElement,
    private readonly store: Store,
  ) {
    this.root = document.createElement('div');
    this.root.className = 'overview';
    this.root.dataset.testid = 'overview';
    this.canvas = document.createElement('canvas');
    this.svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.root.append(this.canvas, this.svg);
    parent.appendChild(this.root);
    this.brush = brushX().on('brush end', (ev: { selection: [number, number] | null; sourceEvent: unknown }) => {
      if (this.moving || !ev.sourceEvent) return;
      const m = this.store.model;
      if (!m) return;
      const x = this.scale();
      if (!ev.selection) {
        this.store.setWindow(m.startT, m.endT);
        return;
      }
      const [a, b] = ev.selection;
      if (b - a < 2) return;
      this.store.setWindow(x.invert(a), x.invert(b));
    });
    // A new model is drawn in a task of its own (on a big trace the histogram reads every message: issue 15, the
    // page's tasks stay short), once for models that come in together.
    store.on('model', () => this.redrawLater());
    store.on('filter', () => this.redraw());
    store.on('window', () => this.moveBrush());
    store.on('cursor', () => this.drawCursor());
    new ResizeObserver(() => {
      this.seenWidth = this.root.clientWidth;
      // Not in the observer's callback: that runs inside the frame's rendering, with the page's layout and the
      // diagram's drawing (the first drawing of a big trace shows the page and sizes both at once).
      if (this.seenWidth > 0 && (this.widthWaited || Math.max(300, this.seenWidth) !== this.width)) {
        this.widthWaited = false;
        this.redrawLater();
      }
    }).observe(this.root);
  }

  /** Redraw in a task of its own (on a big trace the histogram reads every message: issue 15), once for changes that come together. */
  private redrawLater(): void {
    if (this.redrawPending) return;
    this.redrawPending = true;
    void yieldToPage().then(() => {
      this.redrawPending = false;
      timed('overview', () => this.redraw());
    });
  }

  private scale() {
    const m = this.store.model;
    return scaleLinear()
      .domain([m?.startT ?? 0, m?.endT ?? 1])
      .range([LEFT, this.width - RIGHT]);
  }

  /** The root's width as the ResizeObserver last saw it (px; 0 before, or while hidden): see Diagram's `seenWidth`. */
  private seenWidth = 0;
  /** A drawing waits for the observer's first width (`redraw`). */
  private widthWaited = false;

  /** The strip's width (px): as last observed, without laying the page out (else read now). */
  private currentWidth(): number {
    return Math.max(300, this.seenWidth > 0 ? this.seenWidth : this.root.clientWidth);
  }

  /** Drawings started: a histogram counted in slices is dropped when a newer drawing starts. */
  private drawing = 0;

  private redraw(): void {
    const gen = ++this.drawing;
    const m = this.store.model;
    if (!m) {
      this.paint(undefined, new Float64Array(0), new Float64Array(0));
      return;
    }
    if (this.seenWidth <= 0 && this.root.isConnected) {
      // The page was hidden until this model: reading the width now would lay the page out in this task (issue 15:
      // 2-7 ms CPU of a first model's task at Raft 100k); the observer redraws once the frame has laid it out.
      this.widthWaited = true;
      return;
    }
    const width = this.currentWidth();
    const cols = Math.max(1, Math.floor(width - LEFT - RIGHT));
    const sent = new Float64Array(cols);
    const dropped = new Float64Array(cols);
    const span = Math.max(1, m.endT - m.startT);
    const typeShown = Uint8Array.from(m.messageTypes, (t) => (this.store.hiddenTypes.has(t) ? 0 : 1));
    const laneShown = Uint8Array.from(m.nodes, (n) => (this.store.hiddenNodes.has(n) ? 0 : 1));
    const { mType, mFrom, mTo, mSendT, mOutcome, msgCount, startT } = m;
    const k = cols / span;
    const dropped_ = OUTCOME.dropped;
    const count = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        if (typeShown[mType[i]!] === 0 || laneShown[mFrom[i]!] === 0 || laneShown[mTo[i]!] === 0) continue;
        let c = ((mSendT[i]! - startT) * k) | 0;
        if (c >= cols) c = cols - 1;
        sent[c]!++;
        if (mOutcome[i] === dropped_) dropped[c]!++;
      }
    };
    if (msgCount <= SLICE_ABOVE) {
      count(0, msgCount);
      this.paint(m, sent, dropped, width);
      return;
    }
    void sliced(msgCount, count, () => gen !== this.drawing || this.store.model !== m).then((done) => {
      if (done) timed('overview-paint', () => this.paint(m, sent, dropped, width));
    });
  }

  /** Draw the histogram (`sent` and `dropped` per column), the outages and violations, and the brush. */
  private paint(m: Store['model'], sent: Float64Array, dropped: Float64Array, width = this.currentWidth()): void {
    this.width = width;
    const dpr = window.devicePixelRatio || 1;
    resizeCanvas(this.canvas, this.width, HEIGHT, dpr);
    this.svg.setAttribute('width', String(this.width));
    this.svg.setAttribute('height', String(HEIGHT));
    const ctx = this.canvas.getContext('2d') as CanvasRenderingContext2D;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, HEIGHT);
    const sel = select(this.svg);
    sel.selectAll('*').remove();
    if (!m) return;
    const x = this.scale();
    const cols = sent.length;
    let max = 1;
    for (const v of sent) if (v > max) max = v;
    const h = HEIGHT - 6;
    for (const iv of m.intervals) {
      ctx.fillStyle = iv.kind === 'down' ? COLORS.down : COLORS.paused;
      ctx.fillRect(x(iv.fromT), 0, Math.max(1, x(iv.toT ?? (m.loadedT ?? m.endT)) - x(iv.fromT)), HEIGHT);
    }
    ctx.fillStyle = COLORS.partition;
    for (const b of m.partitions) {
      ctx.fillRect(x(b.fromT), 0, Math.max(1, x(b.toT ?? (m.loadedT ?? m.endT)) - x(b.fromT)), HEIGHT);
    }
    // Each colour set once, its bars as one path (a fillStyle per bar costs a colour parse: 2 per column before).
    const bars = new Path2D();
    const drops = new Path2D();
    for (let c = 0; c < cols; c++) {
      const v = sent[c]!;
      if (v === 0) continue;
      const bh = Math.max(1, (Math.sqrt(v) / Math.sqrt(max)) * h);
      bars.rect(LEFT + c, HEIGHT - bh, 1, bh);
      const d = dropped[c]!;
      if (d > 0) drops.rect(LEFT + c, HEIGHT - Math.max(1, (d / v) * bh), 1, Math.max(1, (d / v) * bh));
    }
    ctx.fillStyle = COLORS.delivered;
    ctx.fill(bars);
    ctx.fillStyle = COLORS.dropped;
    ctx.fill(drops);
    for (const v of m.violations) {
      ctx.fillStyle = COLORS.violation;
      ctx.fillRect(x(v.t) - 1, 0, 2, HEIGHT);
    }
    ctx.fillStyle = '#555';
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText('overview', 6, HEIGHT / 2 + 4);
    this.brush.extent([
      [LEFT, 0],
      [this.width - RIGHT, HEIGHT],
    ]);
    sel.append('line').attr('class', 'ov-cursor').attr('y1', 0).attr('y2', HEIGHT).attr('stroke', COLORS.cursor).attr('stroke-width', 1.5);
    sel.append('g').attr('class', 'brush').call(this.brush);
    this.moveBrush();
    this.drawCursor();
  }

  private moveBrush(): void {
    const m = this.store.model;
    if (!m) return;
    const x = this.scale();
    const [t0, t1] = this.store.window;
    this.moving = true;
    const g = select(this.svg).select<SVGGElement>('g.brush');
    if (!g.empty()) this.brush.move(g, t0 <= m.startT && t1 >= m.endT ? null : [x(t0), x(t1)]);
    this.moving = false;
  }

  private drawCursor(): void {
    const ev = this.store.cursorEvent();
    if (!ev) return;
    const cx = this.scale()(ev.t);
    select(this.svg).select('line.ov-cursor').attr('x1', cx).attr('x2', cx);
  }
}
