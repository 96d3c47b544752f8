// The space-time diagram: one lane per node, time left to right. Messages are
// lines from send to delivery on a canvas (SVG cannot hold 100,000 of them),
// drops end in a cross where the message was lost, duplicates are dashed,
// crashes and pauses shade the lane, partitions are bands across all lanes.
// Two canvases: the base layer is redrawn when the window or filters change,
// the overlay (cursor, highlighted event) on every cursor move, so scrubbing
// stays cheap. d3-zoom gives zoom and pan on the time axis.

import { axisTop, scaleLinear, select, zoom, zoomIdentity, type ScaleLinear, type ZoomBehavior, type ZoomTransform } from 'd3';
import { describeEvent } from '../../sim/trace/chrome.ts';
import { density, KIND, lastAtOrBeforeCol, lowerBound, OUTCOME } from '../../sim/trace/columns.ts';
import { fmtTick } from './format.ts';
import { typeDash, typePalette } from './palette.ts';
import type { LaneBand } from './panels/panel.ts';
import type { Store } from './store.ts';
import { timed } from './perf.ts';

const LEFT = 70;
const RIGHT = 16;
const TOP = 26;
/** Rows of fault labels (partitions, loss bursts, quiesce), in a band of their own between the axis and the lanes, so they never cover a lane. */
const LABEL_ROWS = 4;
const LABEL_BAND = LABEL_ROWS * 12 + 4;
/** Where the first lane starts. */
const LANES_TOP = TOP + LABEL_BAND;
const BOTTOM = 8;
/** Under this many visible messages, draw arrowheads and per-event markers. */
const DETAIL_LIMIT = 4000;
/**
 * The base drawing's steps: messages and markers are drawn this many at a time (a fixed split, the same whether the
 * drawing is done at once or over several frames, so the picture is the same either way).
 */
const MESSAGE_STEP = 1000;
const MARKER_STEP = 4000;
/** Partitions or network changes (loss bursts) per step. */
const FAULT_STEP = 64;
/**
 * Time (ms) an animation frame spends on the base drawing's steps before it leaves the rest to the next frames (issue
 * 15). Not less: each frame that changes the canvas costs a compositor commit (15-20 ms CPU in headless Chromium, which
 * composites in software), so a smaller budget made more frames over 16.7 ms, not fewer; a drawing under it is one frame.
 */
const BASE_FRAME_BUDGET_MS = 10;

export const COLORS = {
  delivered: '#2f6fb3',
  duplicate: '#8e44ad',
  dropped: '#d0342c',
  inflight: '#8a8a8a',
  down: 'rgba(208, 52, 44, 0.16)',
  paused: 'rgba(230, 160, 0, 0.25)',
  partition: 'rgba(90, 90, 220, 0.09)',
  violation: '#d0342c',
  cursor: '#e67e22',
  causal: 'rgba(230, 126, 34, 0.75)',
  lane: '#d9dde3',
  loss: 'rgba(208, 52, 44, 0.07)',
  quiesce: '#2e8b57',
  corrupt: '#d0342c',
};

/** One straight line of `color` and `width` px from (x0, y0) to (x1, y1). */
function strokeLine(ctx: CanvasRenderingContext2D, color: string, width: number, x0: number, y0: number, x1: number, y1: number): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

/** Widths of label texts (+ 6 px) by font and text: measuring is a large part of placing hundreds of labels. */
const textWidths = new Map<string, number>();

/**
 * Places short labels in a few rows under the axis so that none overlaps
 * another: each goes in the first row with room at its x, and is left out
 * (counted in `hidden`) when no row has room.
 */
export class LabelRows {
  private readonly rows: [number, number][][];
  hidden = 0;
  placed: { text: string; x: number; row: number; width: number }[] = [];
  constructor(n: number) {
    this.rows = Array.from({ length: n }, () => []);
  }
  place(ctx: CanvasRenderingContext2D, text: string, x: number, color: string): boolean {
    // Every row taken at x itself (zoomed out, hundreds of partitions start in a few pixels): left out without
    // measuring the text (a label is at least 6 px wide, so no row would have room for it either).
    if (this.rows.every((row) => row.some(([a, b]) => x < b && x + 6 > a))) {
      this.hidden++;
      return false;
    }
    const key = `${ctx.font}|${text}`;
    let w = textWidths.get(key);
    if (w === undefined) {
      if (textWidths.size > 4096) textWidths.clear();
      w = ctx.measureText(text).width + 6;
      textWidths.set(key, w);
    }
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r]!;
      if (row.some(([a, b]) => x < b && x + w > a)) continue;
      row.push([x, x + w]);
      ctx.fillStyle = color;
      ctx.fillText(text, x, TOP + 11 + r * 12);
      this.placed.push({ text, x, row: r, width: w });
      return true;
    }
    this.hidden++;
    return false;
  }
}

/**
 * The colour of a message type: the i-th colour of the message-type palette
 * (palette.ts: 20 colours chosen far apart in CIELAB and away from the reds,
 * purple and orange that mean dropped, duplicate and the cursor); past 20 types
 * colours repeat and typeDash tells the repeats apart.
 */
export function typeColor(types: readonly string[], type: string): string {
  const i = types.indexOf(type);
  if (i < 0) return COLORS.delivered;
  const p = typePalette();
  return p[i % p.length] as string;
}

export class Diagram {
  readonly root: HTMLDivElement;
  private readonly base: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private readonly axisSvg: SVGSVGElement;
  private readonly tip: HTMLDivElement;
  private width = 800;
  private height = 300;
  private x0: ScaleLinear<number, number> = scaleLinear();
  /** The time axis at zoom 1: the whole run, [start, end] (µs). */
  get axisDomain(): [number, number] {
    return this.x0.domain() as [number, number];
  }
  private x: ScaleLinear<number, number> = scaleLinear();
  private lanes = new Map<string, number>();
  /** Per model lane: its row on screen, or -1 when hidden. */
  private laneRow: number[] = [];
  /** Per model lane / message type code: 1 when shown. */
  private laneShown = new Uint8Array(0);
  private typeShown = new Uint8Array(0);
  /** Fault labels of the last draw (tests check that none overlap). */
  labels = new LabelRows(0);
  /** The density view's cells, one pixel each (drawn scaled per lane). */
  private densityCanvas: HTMLCanvasElement | undefined;
  private densityImage: ImageData | undefined;
  /** Whether the last base draw aggregated (density) instead of drawing messages one by one. */
  aggregated = false;
  private laneH = 40;
  private readonly zoomer: ZoomBehavior<HTMLCanvasElement, unknown>;
  private applyingWindow = false;
  private baseDirty = true;
  /** The base drawing's steps not drawn yet (a frame's budget ran out: the next frames draw them), in order. */
  private baseLeft: (() => void)[] = [];
  private baseNext = 0;
  /** CPU time of the base drawing in progress so far (ms): `lastDrawMs` once it is done. */
  private baseMs = 0;
  /** The base and overlay canvases were drawn on (`baseSteps`, `drawOverlay`). */
  private baseUsed = false;
  private overlayUsed = false;
  /** Waiting for the base drawing to be complete (`drawn`). */
  private drawnWaiters: (() => void)[] = [];
  private overlayDirty = true;
  private frame = 0;
  /** Time the last base draw took, ms (shown in the status line and read by the benchmark). */
  lastDrawMs = 0;
  /** Bands along the lanes for a trace (set from the protocol's registered view; see panels/registry.ts). */
  laneBands: ((m: NonNullable<Store['model']>) => LaneBand[]) | undefined;
  private bands: LaneBand[] = [];
  private bandsOf: unknown;
  visibleMessages = 0;
  /** Dots drawn by the last animation frame. */
  animatedDots = 0;
  private lastHover: { clientX: number; clientY: number } | undefined;
  /** Outcome of each operation by the seq of its return, built when markers are first drawn for a model (not at each partial model). */
  private opReturned: { of: unknown; at: Map<number, string> } | undefined;
  private opReturnedAt(): Map<number, string> {
    const ops = this.store.model?.operations ?? [];
    if (this.opReturned?.of !== ops) this.opReturned = { of: ops, at: new Map(ops.flatMap((o) => (o.returnSeq !== undefined ? [[o.returnSeq, o.outcome ?? 'info'] as const] : []))) };
    return this.opReturned.at;
  }

  constructor(
    parent: HTMLElement,
    private readonly store: Store,
  ) {
    this.root = document.createElement('div');
    this.root.className = 'diagram';
    this.root.dataset.testid = 'diagram';
    this.base = document.createElement('canvas');
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'overlay';
    this.overlay.setAttribute('role', 'img');
    this.overlay.setAttribute('aria-label', 'space-time diagram: one lane per node, messages as lines from send to delivery; the event list below has the same events as text');
    this.axisSvg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.axisSvg.classList.add('axis');
    this.root.append(this.base, this.overlay, this.axisSvg);
    parent.appendChild(this.root);

    this.zoomer = zoom<HTMLCanvasElement, unknown>()
      .on('zoom', (ev: { transform: ZoomTransform }) => {
        this.x = ev.transform.rescaleX(this.x0);
        if (!this.applyingWindow) {
          const [t0, t1] = this.x.domain() as [number, number];
          this.store.setWindow(t0, t1);
        }
        this.invalidate(true);
      });
    select(this.overlay).call(this.zoomer).on('dblclick.zoom', null);
    this.overlay.addEventListener('click', (ev) => this.pick(ev));
    this.tip = document.createElement('div');
    this.tip.className = 'tip';
    this.tip.dataset.testid = 'diagram-tip';
    this.root.appendChild(this.tip);
    let hoverFrame = 0;
    this.overlay.addEventListener('mousemove', (ev) => {
      if (hoverFrame) cancelAnimationFrame(hoverFrame);
      hoverFrame = requestAnimationFrame(() => {
        hoverFrame = 0;
        this.hover(ev);
      });
    });
    this.overlay.addEventListener('mouseleave', () => this.hideTip());

    store.on('model', () => {
      // A tooltip from the previous trace never stays.
      this.hideTip();
      this.relayout();
    });
    store.on('details', () => {
      if (this.lastHover && this.tip.style.display === 'block') this.hover(this.lastHover);
    });
    store.on('causal', () => this.invalidate(false));
    store.on('highlight', () => this.invalidate(false));
    store.on('filter', () => this.relayout());
    store.on('cursor', () => this.invalidate(false));
    store.on('window', () => this.followWindow());
    // Only a change of width lays out again (the height follows the lanes, set here).
    new ResizeObserver(() => {
      this.seenWidth = this.root.clientWidth;
      if (Math.max(300, this.seenWidth) !== this.width) this.relayout();
    }).observe(this.root);
  }

  /**
   * The root's width as the ResizeObserver last saw it (px; 0 before, or while hidden): a new model is laid out at it
   * without reading clientWidth, which would lay the page out at once inside the model's task (issue 15: 50 ms and
   * more of a 1M trace's partial-model task); a change of width relayouts from the observer.
   */
  private seenWidth = 0;
  /** The layout was made without a seen width (`relayout`): the next draw reads the root's width and lays out again if it differs. */
  private widthPending = false;
  /** A frame was let go by without drawing, waiting for the width (`draw`). */
  private widthWaited = false;

  /** Lay out lanes for the visible nodes and size the canvases. */
  private relayout(): void {
    const m = this.store.model;
    const nodes = m ? m.nodes.filter((n) => !this.store.hiddenNodes.has(n)) : [];
    this.lanes = new Map(nodes.map((n, i) => [n, i]));
    this.laneRow = m ? m.nodes.map((n) => this.lanes.get(n) ?? -1) : [];
    this.laneShown = Uint8Array.from(this.laneRow, (r) => (r >= 0 ? 1 : 0));
    this.typeShown = m ? Uint8Array.from(m.messageTypes, (t) => (this.store.hiddenTypes.has(t) ? 0 : 1)) : new Uint8Array(0);
    // Width not seen yet (the page was hidden until this model): kept until the draw reads it (`draw`), so that the
    // model's task does not lay the page out (the first partial model of a big trace: 40 ms and more of its task).
    this.widthPending = this.seenWidth <= 0;
    this.widthWaited = false;
    if (!this.widthPending) this.width = Math.max(300, this.seenWidth);
    this.laneH = Math.max(14, Math.min(56, 420 / Math.max(1, nodes.length)));
    this.height = LANES_TOP + this.laneH * Math.max(1, nodes.length) + BOTTOM;
    const dpr = window.devicePixelRatio || 1;
    // Sized only when the size changes: setting a canvas's width (even to the same value) drops its backing store,
    // and the next draw allocates a new one (at 1M events the page lays out again at each partial model: issue 15).
    for (const c of [this.base, this.overlay]) resizeCanvas(c, this.width, this.height, dpr);
    this.axisSvg.setAttribute('width', String(this.width));
    this.axisSvg.setAttribute('height', String(TOP));
    this.root.style.height = `${this.height}px`;
    if (m) {
      this.x0 = scaleLinear().domain([m.startT, m.endT]).range([LEFT, this.width - RIGHT]);
      const span = Math.max(1, m.endT - m.startT);
      this.zoomer
        .scaleExtent([1, Math.max(1, span / 5)])
        .extent([
          [LEFT, 0],
          [this.width - RIGHT, this.height],
        ])
        .translateExtent([
          [LEFT, 0],
          [this.width - RIGHT, this.height],
        ]);
      this.followWindow();
    }
    this.invalidate(true);
  }

  /** Match the zoom transform to the store's window (set by the brush, a jump or a load). */
  private followWindow(): void {
    const m = this.store.model;
    if (!m) return;
    const [t0, t1] = this.store.window;
    const cur = this.x.domain();
    if (Math.abs((cur[0] ?? 0) - t0) < 1e-6 && Math.abs((cur[1] ?? 0) - t1) < 1e-6 && this.x.range()[1] === this.width - RIGHT) return;
    const a = this.x0(t0);
    const b = this.x0(t1);
    const k = (this.width - RIGHT - LEFT) / Math.max(1e-9, b - a);
    const t = zoomIdentity.translate(LEFT - k * a, 0).scale(k);
    this.applyingWindow = true;
    select(this.overlay).call(this.zoomer.transform, t);
    this.applyingWindow = false;
  }

  /** The node of the lane at a page y coordinate, or undefined. */
  laneAt(clientY: number): string | undefined {
    const rect = this.overlay.getBoundingClientRect();
    const row = Math.floor((clientY - rect.top - LANES_TOP) / this.laneH);
    return [...this.lanes].find(([, i]) => i === row)?.[0];
  }

  /** The line of message `mi` (from its send to its end, in overlay pixels), or undefined when not drawn one by one or hidden. */
  private messageLine(mi: number): [number, number, number, number] | undefined {
    const m = this.store.model;
    if (!m || this.aggregated || !this.visible(mi)) return undefined;
    const ya = this.yOfLane(m.mFrom[mi] as number);
    const yb = this.yOfLane(m.mTo[mi] as number);
    if (ya === undefined || yb === undefined) return undefined;
    const endRaw = m.mEndT[mi] as number;
    return [this.x(m.mSendT[mi] as number), ya, this.x(Number.isNaN(endRaw) ? (m.loadedT ?? m.endT) : endRaw), yb];
  }

  /** The message whose line passes within `maxPx` of a page point (the nearest), or -1; none while the diagram shows density. */
  messageAt(clientX: number, clientY: number, maxPx = 5): number {
    const m = this.store.model;
    if (!m || this.aggregated) return -1;
    const rect = this.overlay.getBoundingClientRect();
    const px = clientX - rect.left;
    const py = clientY - rect.top;
    const t = this.x.invert(px);
    const lo = lowerBound(m.mSendT, t - m.maxFlight, m.msgCount);
    const hi = lastAtOrBeforeCol(m.mSendT, t, m.msgCount);
    let best = -1;
    let bestD = maxPx;
    for (let i = Math.max(0, lo); i <= hi; i++) {
      const l = this.messageLine(i);
      if (!l) continue;
      const [xa, ya, xb, yb] = l;
      const dx = xb - xa;
      const dy = yb - ya;
      const len2 = dx * dx + dy * dy;
      const u = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - xa) * dx + (py - ya) * dy) / len2));
      const d = Math.hypot(px - (xa + u * dx), py - (ya + u * dy));
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  /** The page point on message `mi`'s line at true time t (for tests and the keyboard), or undefined when it is not drawn. */
  pointOnMessage(mi: number, t: number): { x: number; y: number } | undefined {
    const l = this.messageLine(mi);
    if (!l) return undefined;
    const [xa, ya, xb, yb] = l;
    const px = this.x(t);
    const u = xb === xa ? 0.5 : Math.max(0, Math.min(1, (px - xa) / (xb - xa)));
    const rect = this.overlay.getBoundingClientRect();
    return { x: rect.left + xa + u * (xb - xa), y: rect.top + ya + u * (yb - ya) };
  }

  /** The overlay canvas (pointer events land there). */
  get surface(): HTMLCanvasElement {
    return this.overlay;
  }

  /** Redraw the overlay (cursor, highlights, animation) on the next frame. */
  redrawOverlay(): void {
    this.invalidate(false);
  }

  /** Make sure true time t is on screen (used while playing and when jumping). */
  reveal(t: number): void {
    const [t0, t1] = this.store.window;
    if (t >= t0 && t <= t1) return;
    const w = t1 - t0;
    const m = this.store.model;
    if (!m) return;
    let n0 = t - w * 0.3;
    n0 = Math.max(m.startT, Math.min(m.endT - w, n0));
    this.store.setWindow(n0, n0 + w);
  }

  zoomBy(factor: number): void {
    select(this.overlay).call(this.zoomer.scaleBy, factor);
  }

  /** Resolves once the base drawing is complete (at once when it is: none pending, none in progress over frames). */
  drawn(): Promise<void> {
    if (!this.baseDirty && this.baseNext >= this.baseLeft.length) return Promise.resolve();
    return new Promise((ok) => this.drawnWaiters.push(ok));
  }

  /** The next frame goes on with the drawing (the base's steps left, then the overlay if it is dirty). */
  private continueOnFrame(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      timed('frame', () => this.draw(true));
    });
  }

  private invalidate(base: boolean): void {
    if (base) this.baseDirty = true;
    this.overlayDirty = true;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      timed('frame', () => this.draw(true));
    });
  }

  /**
   * Draw now (tests and the benchmark call this to measure a full draw). `onFrame` (the animation frame's call, and
   * the first partial drawing's task, which comes after a frame): when
   * the base took more than a quarter of a frame (a new model's first drawing: the canvases' new backing stores, the
   * whole run's density and fault labels), the overlay waits for the next frame, so that one frame's task holds
   * only one of them with the page's layout and paint (issue 15). The picture is the same once both are drawn.
   */
  draw(onFrame = false): void {
    // The observer has seen the width since (and laid out again if it differs).
    if (this.widthPending && this.seenWidth > 0) this.widthPending = false;
    if (this.widthPending && onFrame && !this.widthWaited) {
      // The page was hidden until this model: this frame lays it out (the event list, the panels, the canvases) and
      // the observer then reports the width; the drawing waits for the next frame rather than share this one (issue
      // 15: the layout of the page and the first whole-run drawing were one task of 70 ms CPU at Raft 1M). Once only.
      this.widthWaited = true;
      if (!this.frame)
        this.frame = requestAnimationFrame(() => {
          this.frame = 0;
          timed('frame', () => this.draw(true));
        });
      return;
    }
    if (this.widthPending) {
      // A forced layout here, in the drawing's task rather than the model's; the canvases are sized again if it differs.
      this.widthPending = false;
      const w = this.root.clientWidth;
      if (w > 0) this.seenWidth = w;
      if (Math.max(300, w) !== this.width) this.relayout();
      this.widthPending = false;
    }
    if (this.baseDirty) {
      // A new drawing replaces one in progress (its steps were of an older window or model).
      this.baseLeft = this.baseSteps();
      this.baseNext = 0;
      this.baseMs = 0;
      this.baseDirty = false;
      this.drawAxis();
    }
    if (this.baseNext < this.baseLeft.length) {
      // On an animation frame: steps until the frame's budget is spent, the rest on the next frames (issue 15: the
      // whole run's first drawing was one frame of 40-76 ms CPU with its commit). Called directly: all of them.
      const t0 = performance.now();
      const budget = onFrame ? BASE_FRAME_BUDGET_MS : Infinity;
      do (this.baseLeft[this.baseNext++] as () => void)();
      while (this.baseNext < this.baseLeft.length && performance.now() - t0 < budget);
      const spent = performance.now() - t0;
      this.baseMs += spent;
      if (this.baseNext < this.baseLeft.length) {
        this.continueOnFrame();
        return;
      }
      this.baseLeft = [];
      this.baseNext = 0;
      this.lastDrawMs = this.baseMs;
      for (const ok of this.drawnWaiters.splice(0)) ok();
      if (onFrame && this.overlayDirty && spent > 4) {
        this.invalidate(false);
        return;
      }
    }
    if (this.overlayDirty) {
      this.drawOverlay();
      this.overlayDirty = false;
    }
  }

  private laneY(node: string): number | undefined {
    const i = this.lanes.get(node);
    return i === undefined ? undefined : LANES_TOP + (i + 0.5) * this.laneH;
  }

  private ctx(c: HTMLCanvasElement): CanvasRenderingContext2D {
    const ctx = c.getContext('2d') as CanvasRenderingContext2D;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    // A drawing left unfinished (a newer one replaced it) leaves no state behind.
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
    ctx.imageSmoothingEnabled = true;
    return ctx;
  }

  /** Is message i drawn (both ends' lanes shown, its type not hidden)? */
  private visible(i: number): boolean {
    const m = this.store.model!;
    return this.laneShown[m.mFrom[i] as number] === 1 && this.laneShown[m.mTo[i] as number] === 1 && this.typeShown[m.mType[i] as number] === 1;
  }

  /** y of a model lane (an index into model.nodes), or undefined when hidden. */
  private yOfLane(l: number): number | undefined {
    const i = this.laneRow[l];
    return i === undefined || i < 0 ? undefined : LANES_TOP + (i + 0.5) * this.laneH;
  }

  /**
   * The base drawing (everything but the cursor and what follows it) as steps to run in order: the background
   * (faults and their labels, lanes, outages), then the messages a step per `MESSAGE_STEP` (or their density), the
   * markers a step per `MARKER_STEP` events, the violations. Each step sets the context's state it uses.
   */
  private baseSteps(): (() => void)[] {
    const m = this.store.model;
    // No trace: nothing to clear until one was drawn (a canvas's first use allocates its backing store: not at start).
    if (!m) return this.baseUsed ? [() => void this.ctx(this.base)] : [];
    this.baseUsed = true;
    const ctx = this.base.getContext('2d') as CanvasRenderingContext2D;
    const x = this.x;
    const [t0, t1] = x.domain() as [number, number];
    const right = this.width - RIGHT;
    const clampX = (v: number): number => Math.max(LEFT - 2, Math.min(right + 2, v));
    const bottom = this.height - BOTTOM;
    const steps: (() => void)[] = [];
    steps.push(() => {
      this.ctx(this.base);
      // A trace still loading: the part of the run not parsed yet is shaded (the axis is already the whole run's).
      if (m.loadedT !== undefined && m.loadedT < t1) {
        const a = clampX(x(Math.max(t0, m.loadedT)));
        ctx.fillStyle = 'rgba(120, 120, 120, 0.12)';
        ctx.fillRect(a, TOP, Math.max(1, right - a), bottom - TOP);
        ctx.fillStyle = '#666';
        ctx.font = '11px system-ui, sans-serif';
        if (right - a > 60) ctx.fillText('loading…', a + 4, bottom - 4);
      }
    });
    // Cluster-wide faults behind everything: partitions, loss bursts, a step per `FAULT_STEP` (a big trace has hundreds,
    // each a translucent band across every lane: rasterized with the frame that draws it); their labels placed so
    // they never overlap.
    const labels = new LabelRows(LABEL_ROWS);
    for (let a0 = 0; a0 < m.partitions.length; a0 += FAULT_STEP) {
      const bands = m.partitions.slice(a0, a0 + FAULT_STEP);
      steps.push(() => {
        ctx.font = '11px system-ui, sans-serif';
        for (const b of bands) {
          const a = clampX(x(b.fromT));
          const e = clampX(x(b.toT ?? (m.loadedT ?? m.endT)));
          if (e < LEFT || a > right) continue;
          ctx.fillStyle = COLORS.partition;
          ctx.fillRect(a, TOP, Math.max(1, e - a), bottom - TOP);
          labels.place(ctx, `partition ${b.label}`, Math.max(a, LEFT) + 3, '#4a4ac0');
        }
      });
    }
    for (let a0 = 0; a0 < m.network.length; a0 += FAULT_STEP) {
      const from = a0;
      steps.push(() => {
        ctx.font = '11px system-ui, sans-serif';
        for (let i = from; i < Math.min(m.network.length, from + FAULT_STEP); i++) {
          const n = m.network[i]!;
          if (n.loss <= 0) continue;
          const end = m.network[i + 1]?.t ?? (m.loadedT ?? m.endT);
          const a = clampX(x(n.t));
          const e = clampX(x(end));
          if (e < LEFT || a > right) continue;
          ctx.fillStyle = COLORS.loss;
          ctx.fillRect(a, TOP, Math.max(1, e - a), bottom - TOP);
          labels.place(ctx, `loss burst ${Math.round(n.loss * 100)}%`, Math.max(a, LEFT) + 3, '#a02020');
        }
      });
    }
    steps.push(() => {
      ctx.font = '11px system-ui, sans-serif';
      // The quiesce point (faults stop and heal; liveness checks start): a dashed green rule.
      for (const f of m.header.timeline) {
        const q = f as { kind?: unknown; at?: unknown };
        if (q.kind !== 'quiesce' || typeof q.at !== 'number') continue;
        const qx = x(q.at);
        if (qx < LEFT || qx > right) continue;
        ctx.strokeStyle = COLORS.quiesce;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.moveTo(qx, TOP);
        ctx.lineTo(qx, bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        labels.place(ctx, 'quiesce', qx + 3, COLORS.quiesce);
      }
      this.labels = labels;
      // Labels with no room in the band: counted in the left margin (zoom in to see them), never drawn over another.
      if (labels.hidden > 0) {
        ctx.fillStyle = '#666';
        ctx.font = '10px system-ui, sans-serif';
        ctx.fillText(`+${labels.hidden} label${labels.hidden === 1 ? '' : 's'}`, 2, TOP + 11);
        ctx.font = '11px system-ui, sans-serif';
      }
    });
    steps.push(() => {
      ctx.font = '11px system-ui, sans-serif';

      // Lanes, their labels and outages.
      for (const [node, i] of this.lanes) {
        const y = LANES_TOP + (i + 0.5) * this.laneH;
        strokeLine(ctx, COLORS.lane, 1, LEFT, y, right, y);
        ctx.fillStyle = '#333';
        ctx.fillText(node.length > 9 ? `${node.slice(0, 8)}…` : node, 6, y + 4);
      }
      this.drawRoles(ctx, clampX);
      for (const iv of m.intervals) {
        const y = this.laneY(iv.node);
        if (y === undefined) continue;
        const a = clampX(x(iv.fromT));
        const e = clampX(x(iv.toT ?? (m.loadedT ?? m.endT)));
        if (e < LEFT || a > right) continue;
        ctx.fillStyle = iv.kind === 'down' ? COLORS.down : COLORS.paused;
        ctx.fillRect(a, y - this.laneH * 0.4, Math.max(2, e - a), this.laneH * 0.8);
        ctx.fillStyle = iv.kind === 'down' ? '#a02020' : '#8a6000';
        if (e - a > 40) ctx.fillText(iv.kind === 'down' ? 'crashed' : 'paused', a + 3, y - this.laneH * 0.4 + 11);
      }

      // Disk corruption: a red bolt on the lane, at any zoom.
      for (const d of m.disk) {
        const y = this.laneY(d.node);
        const dx = x(d.t);
        if (y === undefined || dx < LEFT || dx > right) continue;
        ctx.fillStyle = COLORS.corrupt;
        ctx.fillRect(dx - 0.75, y - this.laneH * 0.4, 1.5, this.laneH * 0.8);
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillText('⚡', dx + 2, y - this.laneH * 0.4 + 10);
      }
    });

    // Messages: one by one when few are in view; per lane and time bucket when too many to read.
    const lo = lowerBound(m.mSendT, t0 - m.maxFlight, m.msgCount);
    const hi = lastAtOrBeforeCol(m.mSendT, t1, m.msgCount);
    this.aggregated = hi - lo + 1 > DETAIL_LIMIT;
    this.visibleMessages = 0;
    if (this.aggregated) steps.push(() => this.drawDensity(ctx, t0, t1));
    else {
      for (let a = Math.max(0, lo); a <= hi; a += MESSAGE_STEP) {
        const b = Math.min(hi, a + MESSAGE_STEP - 1);
        steps.push(() => this.drawMessages(ctx, a, b, t0));
      }
      const ea = lowerBound(m.t, t0, m.count);
      const eb = lastAtOrBeforeCol(m.t, t1, m.count);
      if (eb - ea <= DETAIL_LIMIT * 4) {
        for (let a = ea; a <= eb; a += MARKER_STEP) {
          const b = Math.min(eb, a + MARKER_STEP - 1);
          steps.push(() => this.drawMarkers(ctx, a, b));
        }
      }
    }

    // Violations: a red rule across all lanes.
    steps.push(() => {
      for (const v of m.violations) {
        const vx = x(v.t);
        if (vx < LEFT || vx > right) continue;
        strokeLine(ctx, COLORS.violation, 2, vx, TOP, vx, bottom);
        ctx.fillStyle = COLORS.violation;
        ctx.beginPath();
        ctx.moveTo(vx - 5, TOP);
        ctx.lineTo(vx + 5, TOP);
        ctx.lineTo(vx, TOP + 8);
        ctx.fill();
      }
    });
    return steps;
  }

  /** Messages lo..hi (indices in send order) as lines from send to end, coloured by type (added to `visibleMessages`). */
  private drawMessages(ctx: CanvasRenderingContext2D, lo: number, hi: number, t0: number): void {
    const m = this.store.model!;
    const x = this.x;
    const paths = { delivered: new Path2D(), duplicate: new Path2D(), dropped: new Path2D(), inflight: new Path2D(), cross: new Path2D() };
    // Delivered messages take their type's colour (as RaftScope does), so a protocol's phases read apart.
    const byType = new Map<number, Path2D>();
    const headsByType = new Map<number, [number, number, number, number][]>();
    const heads: [number, number, number, number][] = [];
    let count = 0;
    for (let i = Math.max(0, lo); i <= hi; i++) {
      const endRaw = m.mEndT[i] as number;
      const endT = Number.isNaN(endRaw) ? (m.loadedT ?? m.endT) : endRaw;
      if (endT < t0 || !this.visible(i)) continue;
      count++;
      const ya = this.yOfLane(m.mFrom[i] as number) as number;
      const yb = this.yOfLane(m.mTo[i] as number) as number;
      const sendT = m.mSendT[i] as number;
      const xa = x(sendT);
      let xb = x(endT);
      let yEnd = yb;
      const outcome = m.mOutcome[i];
      const dup = (m.mDupOf[i] as number) >= 0;
      const type = m.mType[i] as number;
      let p = outcome === OUTCOME.dropped ? paths.dropped : outcome === OUTCOME.inFlight ? paths.inflight : dup ? paths.duplicate : undefined;
      if (!p) {
        p = byType.get(type);
        if (!p) byType.set(type, (p = new Path2D()));
      }
      if (outcome === OUTCOME.dropped && endRaw === sendT) {
        // Lost at the send: a short stub toward the target, crossed out.
        xb = xa + 14;
        yEnd = ya + (yb - ya) * 0.35 + (ya === yb ? -8 : 0);
      }
      if (ya === yb && outcome !== OUTCOME.dropped) {
        // A message to itself: a small loop above the lane.
        p.moveTo(xa, ya);
        p.quadraticCurveTo((xa + xb) / 2, ya - this.laneH * 0.45, xb, yb);
      } else {
        p.moveTo(xa, ya);
        p.lineTo(xb, yEnd);
      }
      if (outcome === OUTCOME.dropped) {
        paths.cross.moveTo(xb - 3, yEnd - 3);
        paths.cross.lineTo(xb + 3, yEnd + 3);
        paths.cross.moveTo(xb + 3, yEnd - 3);
        paths.cross.lineTo(xb - 3, yEnd + 3);
      } else if (outcome === OUTCOME.delivered && ya !== yb) {
        if (!dup) {
          let hs = headsByType.get(type);
          if (!hs) headsByType.set(type, (hs = []));
          hs.push([xa, ya, xb, yb]);
        } else heads.push([xa, ya, xb, yb]);
      }
    }
    this.visibleMessages += count;
    ctx.lineWidth = 1.1;
    ctx.globalAlpha = 0.85;
    for (const [type, tp] of byType) {
      ctx.strokeStyle = typeColor(m.messageTypes, m.messageTypes[type] as string);
      ctx.setLineDash(typeDash(type));
      ctx.stroke(tp);
    }
    ctx.strokeStyle = COLORS.inflight;
    ctx.setLineDash([3, 3]);
    ctx.stroke(paths.inflight);
    ctx.strokeStyle = COLORS.duplicate;
    ctx.setLineDash([5, 2]);
    ctx.stroke(paths.duplicate);
    ctx.setLineDash([]);
    ctx.strokeStyle = COLORS.dropped;
    ctx.stroke(paths.dropped);
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1.5;
    ctx.stroke(paths.cross);
    ctx.fillStyle = COLORS.duplicate;
    for (const [xa, ya, xb, yb] of heads) arrowHead(ctx, xa, ya, xb, yb);
    for (const [type, hs] of headsByType) {
      ctx.fillStyle = typeColor(m.messageTypes, m.messageTypes[type] as string);
      for (const [xa, ya, xb, yb] of hs) arrowHead(ctx, xa, ya, xb, yb);
    }
  }

  /**
   * Level of detail for a window with too many messages to draw: each lane is
   * a strip of cells (one per 3 px of time), shaded by how many events happen
   * there (drops in red), and a box lists the busiest pairs of lanes.
   */
  private drawDensity(ctx: CanvasRenderingContext2D, t0: number, t1: number): void {
    const m = this.store.model!;
    const right = this.width - RIGHT;
    const cell = 3;
    const cols = Math.max(1, Math.floor((right - LEFT) / cell));
    const d = density(m, t0, t1, cols, (l) => this.laneShown[l] === 1, (t) => this.typeShown[t] === 1);
    let msgs = 0;
    for (const v of d.pairs) msgs += v;
    this.visibleMessages = msgs;
    const h = this.laneH * 0.56;
    const norm = Math.sqrt(Math.max(1, d.max));
    // One pixel per cell in a small image (cols × lanes), each lane's row then drawn scaled to its strip: a frame
    // costs one pass over the cells and a drawImage per lane, bounded by the pixels on screen (a fillStyle and a
    // fillRect per cell cost a colour parse each: most of a zoomed-out frame of a trace with many lanes).
    // The image and its canvas are kept from frame to frame while their size holds (no new buffer per frame).
    const rows = Math.max(1, d.lanes);
    let img = this.densityImage;
    if (!img || img.width !== cols || img.height !== rows) img = this.densityImage = new ImageData(cols, rows);
    else img.data.fill(0);
    const px = img.data;
    for (let l = 0; l < d.lanes; l++) {
      for (let c = 0; c < cols; c++) {
        const k = l * cols + c;
        const v = d.counts[k] as number;
        if (v === 0) continue;
        const drops = d.drops[k] as number;
        const red = drops > 0 && drops * 4 >= v;
        const o = k * 4;
        px[o] = red ? 208 : 47;
        px[o + 1] = red ? 52 : 111;
        px[o + 2] = red ? 44 : 179;
        px[o + 3] = Math.round((0.12 + 0.88 * (Math.sqrt(v) / norm)) * 255);
      }
    }
    const strip = (this.densityCanvas ??= document.createElement('canvas'));
    // Setting a canvas's size, even to the same value, drops its backing store: only when it changes.
    if (strip.width !== cols) strip.width = cols;
    if (strip.height !== rows) strip.height = rows;
    strip.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    for (let l = 0; l < d.lanes; l++) {
      const y = this.yOfLane(l);
      if (y !== undefined) ctx.drawImage(strip, 0, l, cols, 1, LEFT, y - h / 2, cols * cell, h);
    }
    ctx.imageSmoothingEnabled = true;
    // The busiest pairs of lanes in the window.
    const pairs: [number, number, number][] = [];
    for (let a = 0; a < d.lanes; a++) for (let b = 0; b < d.lanes; b++) if ((d.pairs[a * d.lanes + b] as number) > 0) pairs.push([a, b, d.pairs[a * d.lanes + b] as number]);
    pairs.sort((p, q) => q[2] - p[2]);
    const lines = [`${msgs} messages in view: density per lane (zoom in to see each)`, ...pairs.slice(0, 6).map(([a, b, n]) => `${m.nodes[a]} → ${m.nodes[b]}: ${n}`)];
    if (pairs.length > 6) lines.push(`… ${pairs.length - 6} more pairs`);
    ctx.font = '10px system-ui, sans-serif';
    const w = Math.max(...lines.map((t) => ctx.measureText(t).width)) + 10;
    const bx = right - w - 4;
    const by = LANES_TOP + 4;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.88)';
    ctx.fillRect(bx, by, w, lines.length * 12 + 6);
    ctx.fillStyle = '#333';
    lines.forEach((t, i) => ctx.fillText(t, bx + 5, by + 13 + i * 12));
    ctx.font = '11px system-ui, sans-serif';
  }

  /** Set where the lane bands come from (computed at the next draw). */
  setLaneBands(f: ((m: NonNullable<Store['model']>) => LaneBand[]) | undefined): void {
    this.laneBands = f;
    this.bandsOf = undefined;
  }

  /** Bands along the lanes from the protocol's registered view (Raft: leader and candidate), computed once per trace. */
  private drawRoles(ctx: CanvasRenderingContext2D, clampX: (v: number) => number): void {
    const m = this.store.model;
    if (!m) return;
    if (this.bandsOf !== m) {
      this.bandsOf = m;
      this.bands = this.laneBands?.(m) ?? [];
    }
    for (const band of this.bands) {
      const y = this.laneY(band.node);
      if (y === undefined) continue;
      const a = clampX(this.x(band.fromT));
      const b = clampX(this.x(band.toT));
      if (b - a < 0.5) continue;
      ctx.fillStyle = band.color;
      ctx.fillRect(a, y - band.height / 2, b - a, band.height);
      if (band.label && b - a > 36) {
        ctx.fillStyle = '#fff';
        ctx.font = '9px system-ui, sans-serif';
        ctx.fillText(band.label, a + 2, y + 3);
      }
    }
  }

  /** Timers, state changes, client operations and crashes of events a..b as small marks on their lanes (only when zoomed in). */
  private drawMarkers(ctx: CanvasRenderingContext2D, a: number, b: number): void {
    const m = this.store.model;
    if (!m) return;
    for (let s = a; s <= b; s++) {
      const k = m.kind[s] as number;
      if ((m.msgOf[s] as number) >= 0 || k === KIND.violation) continue;
      const l = m.lane[s] as number;
      if (l < 0) continue;
      const y = this.yOfLane(l);
      if (y === undefined) continue;
      const ex = this.x(m.t[s] as number);
      if (k === KIND.timer) {
        ctx.strokeStyle = '#555';
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(ex, y - 5);
        ctx.lineTo(ex, y + 5);
        ctx.stroke();
      } else if (k === KIND.state) {
        ctx.fillStyle = '#2e8b57';
        ctx.beginPath();
        ctx.arc(ex, y, 2.8, 0, Math.PI * 2);
        ctx.fill();
      } else if (k === KIND.invoke || k === KIND.return) {
        const op = k === KIND.return ? this.opReturnedAt().get(s) : undefined;
        ctx.fillStyle = k === KIND.invoke ? '#444' : op === 'ok' ? '#2e8b57' : op === 'fail' ? '#d0342c' : '#e6a000';
        ctx.fillRect(ex - 2.5, y + 4, 5, 5);
      } else if (k === KIND.crash || k === KIND.restart || k === KIND.pause || k === KIND.resume || k === KIND.clock) {
        ctx.fillStyle = '#000';
        ctx.font = '10px system-ui, sans-serif';
        ctx.fillText(k === KIND.crash ? '✕' : k === KIND.restart ? '↻' : k === KIND.clock ? '~' : k === KIND.pause ? '‖' : '▶', ex - 4, y - 6);
      }
    }
  }

  private drawOverlay(): void {
    const m = this.store.model;
    const ev = this.store.cursorEvent();
    // Nothing to draw on a canvas never drawn on: left alone (its first use allocates its backing store).
    if ((!m || !ev) && !this.overlayUsed) return;
    this.overlayUsed = true;
    const ctx = this.ctx(this.overlay);
    if (!m || !ev) return;
    const cx = this.x(ev.t);
    const right = this.width - RIGHT;
    if (cx >= LEFT && cx <= right) {
      ctx.strokeStyle = COLORS.cursor;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(cx, TOP - 4);
      ctx.lineTo(cx, this.height - BOTTOM);
      ctx.stroke();
    }
    const marks = this.store.causalMarks();
    if (marks) this.drawCausal(ctx, marks);
    // Events ringed in red: the operations of a linearizability violation's failing core.
    ctx.strokeStyle = COLORS.violation;
    ctx.lineWidth = 2;
    for (const s of this.store.highlight) {
      const l = s >= 0 && s < m.count ? (m.lane[s] as number) : -1;
      const y = l < 0 ? undefined : this.yOfLane(l);
      if (y === undefined) continue;
      ctx.beginPath();
      ctx.arc(this.x(m.t[s] as number), y, 7, 0, Math.PI * 2);
      ctx.stroke();
    }
    if (this.store.animate && this.store.playT !== undefined) this.drawInFlight(ctx, this.store.playT);
    // Highlight the event under the cursor: its message, or a ring on its lane.
    const mi = m.msgOf[ev.seq] as number;
    ctx.strokeStyle = COLORS.cursor;
    ctx.fillStyle = COLORS.cursor;
    ctx.lineWidth = 3;
    if (mi >= 0 && this.visible(mi)) {
      const ya = this.yOfLane(m.mFrom[mi] as number) as number;
      const yb = this.yOfLane(m.mTo[mi] as number) as number;
      const xa = this.x(m.mSendT[mi] as number);
      const e = m.mEndT[mi] as number;
      const xb = this.x(Number.isNaN(e) ? (m.loadedT ?? m.endT) : e);
      ctx.beginPath();
      ctx.moveTo(xa, ya);
      if (ya === yb) ctx.quadraticCurveTo((xa + xb) / 2, ya - this.laneH * 0.45, xb, yb);
      else ctx.lineTo(xb, yb);
      ctx.stroke();
    } else {
      const l = m.lane[ev.seq] as number;
      const y = l < 0 ? undefined : this.yOfLane(l);
      if (y !== undefined) {
        ctx.beginPath();
        ctx.arc(cx, y, 6, 0, Math.PI * 2);
        ctx.stroke();
      }
    }
  }

  /** Messages in flight at true time t as dots between their ends (the animation while playing). At most 3000. */
  private drawInFlight(ctx: CanvasRenderingContext2D, t: number): void {
    const m = this.store.model!;
    const lo = lowerBound(m.mSendT, t - m.maxFlight, m.msgCount);
    const hi = lastAtOrBeforeCol(m.mSendT, t, m.msgCount);
    let n = 0;
    for (let i = lo; i <= hi && n < 3000; i++) {
      const a = m.mSendT[i] as number;
      const bRaw = m.mEndT[i] as number;
      const b = Number.isNaN(bRaw) ? (m.loadedT ?? m.endT) : bRaw;
      if (b <= t || !this.visible(i)) continue;
      const f = b > a ? (t - a) / (b - a) : 1;
      const ya = this.yOfLane(m.mFrom[i] as number) as number;
      const yb = this.yOfLane(m.mTo[i] as number) as number;
      const px = this.x(t);
      const py = ya + (yb - ya) * f;
      ctx.fillStyle = m.mOutcome[i] === OUTCOME.dropped ? COLORS.dropped : typeColor(m.messageTypes, m.messageTypes[m.mType[i] as number] as string);
      ctx.beginPath();
      ctx.arc(px, py, 4, 0, Math.PI * 2);
      ctx.fill();
      n++;
    }
    this.animatedDots = n;
  }

  /** The causal past of the cursor: the messages that carried it, and a dot on each event of it. */
  private drawCausal(ctx: CanvasRenderingContext2D, marks: Uint8Array): void {
    const m = this.store.model;
    if (!m) return;
    const [t0, t1] = this.x.domain() as [number, number];
    ctx.strokeStyle = COLORS.causal;
    ctx.fillStyle = COLORS.causal;
    ctx.lineWidth = 2;
    ctx.beginPath();
    const lo = lowerBound(m.mSendT, t0 - m.maxFlight, m.msgCount);
    const hi = lastAtOrBeforeCol(m.mSendT, t1, m.msgCount);
    let drawn = 0;
    // Bounded by pixels: a line that starts and ends in the same pixel columns as the last one drawn between the
    // same two lanes adds nothing (zoomed out, thousands of messages share each column).
    const lanes = m.nodes.length;
    const lastFrom = new Float64Array(lanes * lanes).fill(NaN);
    const lastTo = new Float64Array(lanes * lanes).fill(NaN);
    for (let i = lo; i <= hi && drawn < DETAIL_LIMIT * 4; i++) {
      const end = m.mEndSeq[i] as number;
      if (end < 0 || marks[end] !== 1 || m.mOutcome[i] !== OUTCOME.delivered || !this.visible(i)) continue;
      if ((m.mEndT[i] as number) < t0) continue;
      const xa = Math.round(this.x(m.mSendT[i] as number));
      const xb = Math.round(this.x(m.mEndT[i] as number));
      const pair = (m.mFrom[i] as number) * lanes + (m.mTo[i] as number);
      if (lastFrom[pair] === xa && lastTo[pair] === xb) continue;
      lastFrom[pair] = xa;
      lastTo[pair] = xb;
      drawn++;
      ctx.moveTo(xa, this.yOfLane(m.mFrom[i] as number) as number);
      ctx.lineTo(xb, this.yOfLane(m.mTo[i] as number) as number);
    }
    ctx.stroke();
    const a = lowerBound(m.t, t0, m.count);
    const b = Math.min(this.store.cursor, lastAtOrBeforeCol(m.t, t1, m.count));
    if (b - a > DETAIL_LIMIT * 4) return;
    for (let s = a; s <= b; s++) {
      if (marks[s] !== 1) continue;
      const l = m.lane[s] as number;
      const y = l < 0 ? undefined : this.yOfLane(l);
      if (y === undefined) continue;
      ctx.beginPath();
      ctx.arc(this.x(m.t[s] as number), y, 2.5, 0, Math.PI * 2);
      ctx.fill();
    }
  }

  private drawAxis(): void {
    const g = select(this.axisSvg);
    g.selectAll('*').remove();
    g.append('g')
      .attr('transform', `translate(0, ${TOP - 4})`)
      .call(
        axisTop(this.x)
          .ticks(Math.max(2, Math.floor(this.width / 110)))
          .tickFormat((d) => fmtTick(Number(d))),
      );
  }

  /** The event drawn nearest to a point: on the pointed lane, within 6 px of time; -1 if none. Hidden (filtered) messages do not count. */
  private nearest(px: number, py: number, laneOnly: boolean): number {
    const m = this.store.model;
    if (!m || px < LEFT) return -1;
    const row = Math.floor((py - LANES_TOP) / this.laneH);
    const node = [...this.lanes].find(([, i]) => i === row)?.[0];
    const lane = node === undefined ? -2 : (m.laneOf.get(node) ?? -2);
    const a = Math.max(0, lowerBound(m.t, this.x.invert(px - 6), m.count));
    const b = Math.min(m.count - 1, lastAtOrBeforeCol(m.t, this.x.invert(px + 6), m.count));
    let best = -1;
    let bestD = Infinity;
    for (let s = a; s <= b && s - a < 5000; s++) {
      const mi = m.msgOf[s] as number;
      if (mi >= 0 && !this.visible(mi)) continue;
      const onLane = m.lane[s] === lane || m.peer[s] === lane;
      if (laneOnly && !onLane) continue;
      const d = Math.abs(this.x(m.t[s] as number) - px) + (onLane ? 0 : 50);
      if (d < bestD) {
        bestD = d;
        best = s;
      }
    }
    return best;
  }

  /** A click moves the cursor to the nearest event (or the last event before the clicked time). */
  private pick(ev: MouseEvent): void {
    const m = this.store.model;
    if (!m) return;
    const rect = this.overlay.getBoundingClientRect();
    const px = ev.clientX - rect.left;
    if (px < LEFT) return;
    let best = this.nearest(px, ev.clientY - rect.top, false);
    if (best < 0) best = Math.max(0, lastAtOrBeforeCol(m.t, this.x.invert(px), m.count));
    this.store.setCursor(best);
  }

  /** Hovering shows the nearest event on the lane as text (never HTML). */
  private hover(ev: { clientX: number; clientY: number }): void {
    const m = this.store.model;
    const rect = this.overlay.getBoundingClientRect();
    const px = ev.clientX - rect.left;
    const py = ev.clientY - rect.top;
    const s = m ? this.nearest(px, py, true) : -1;
    this.lastHover = ev;
    if (!m || s < 0) {
      this.hideTip();
      return;
    }
    const e = this.store.event(s);
    const mi = m.msgOf[s] as number;
    let text = `#${s}  ${fmtTick(m.t[s] as number)}  ${e ? describeEvent(e) : '(reading…)'}`;
    if (mi >= 0) {
      const sendSeq = m.mSendSeq[mi] as number;
      if (sendSeq !== s) {
        const send = this.store.event(sendSeq);
        if (send?.type === 'send') text += `\nmessage: ${JSON.stringify(send.msg)}`;
      }
      const endT = m.mEndT[mi] as number;
      const sendT = m.mSendT[mi] as number;
      const outcome = m.mOutcome[mi] === OUTCOME.delivered ? 'delivered' : m.mOutcome[mi] === OUTCOME.dropped ? 'dropped' : 'in-flight';
      text += `\nsent ${fmtTick(sendT)}, ${outcome}${!Number.isNaN(endT) ? ` at ${fmtTick(endT)} (${fmtTick(endT - sendT)} later)` : ''}`;
    }
    this.tip.textContent = text.length > 600 ? `${text.slice(0, 600)}…` : text;
    this.tip.style.display = 'block';
    this.tip.style.left = `${Math.min(px + 12, this.width - 320)}px`;
    this.tip.style.top = `${py + 14}px`;
  }

  private hideTip(): void {
    this.tip.style.display = 'none';
    this.lastHover = undefined;
  }
}

function arrowHead(ctx: CanvasRenderingContext2D, xa: number, ya: number, xb: number, yb: number): void {
  const ang = Math.atan2(yb - ya, xb - xa);
  const s = 6;
  ctx.beginPath();
  ctx.moveTo(xb, yb);
  ctx.lineTo(xb - s * Math.cos(ang - 0.4), yb - s * Math.sin(ang - 0.4));
  ctx.lineTo(xb - s * Math.cos(ang + 0.4), yb - s * Math.sin(ang + 0.4));
  ctx.closePath();
  ctx.fill();
}

/** Size a canvas to css width × height at `dpr` device pixels per css pixel, touching it only when that changes. */
export function resizeCanvas(c: HTMLCanvasElement, width: number, height: number, dpr: number): void {
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (c.width !== w) c.width = w;
  if (c.height !== h) c.height = h;
  const cw = `${width}px`;
  const ch = `${height}px`;
  if (c.style.width !== cw) c.style.width = cw;
  if (c.style.height !== ch) c.style.height = ch;
}
