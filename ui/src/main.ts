// The viewer page: wires the loaders (file picker, drag and drop, ?trace=URL,
// live run in a worker) to the store, and the store to the views. Every
// failure to load ends in a message on the page that says what and where.

import { describeEvent } from '../../sim/trace/chrome.ts';
import { lowerBound, OUTCOME } from '../../sim/trace/columns.ts';
import type { Compare } from './compare.ts';
import { Controls, SHORTCUTS } from './controls.ts';
import { Diagram, typeColor } from './diagram.ts';
import { el, replace } from './dom.ts';
import { EventsList } from './events-list.ts';
import { download } from './export.ts';
import { Injector } from './inject.ts';
import { Stepper, type DriveCall } from './step.ts';
import { Loader, type PartialMessage } from './load/client.ts';
import type { LoadSource } from './load/protocol.ts';
import { timeShare } from './load/first-drawing.ts';
import { fmtJson, fmtTime } from './format.ts';
import type { FromWorker, ScenarioEntry, ToWorker } from './live/protocol.ts';
import { Overview } from './overview.ts';
import type { Panel } from './panels/panel.ts';
import { Store, SYNC_LIMIT } from './store.ts';
import { Violations } from './violations.ts';
import { timed, yieldToPage } from './perf.ts';
import './style.css';

const store = new Store();
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

// ---------------------------------------------------------------- layout

const banner = $('banner');
const info = $('info');
const empty = $('empty');
const left = $('left');
const right = $('right');

new Overview(left, store);
const diagram = new Diagram(left, store);
// The legend names what this trace has: message types with their colours, and only the fault and role marks it uses.
const legend = el('div', { class: 'legend small', testid: 'legend' });
/** Legend entries of the protocol's lane bands (panels/registry.ts), set when a trace's panels are built. */
let bandLegend: { label: string; color: string }[] = [];
function renderLegend(m: NonNullable<typeof store.model>, entries: { label: string; color: string }[]): void {
  const view = entries.length > 0 && (diagram.laneBands?.(m).length ?? 0) > 0;
  bandLegend = view ? entries : [];
  buildLegend();
}
function buildLegend(): void {
  const m = store.model;
  if (!m) return;
  const has = {
    duplicate: m.mDupOf.some((d) => d >= 0),
    dropped: m.mOutcome.includes(OUTCOME.dropped),
    inflight: m.mOutcome.includes(OUTCOME.inFlight),
    down: m.intervals.some((i) => i.kind === 'down'),
    paused: m.intervals.some((i) => i.kind === 'paused'),
    partition: m.partitions.length > 0,
    loss: m.network.some((n) => n.loss > 0),
    corrupt: m.disk.length > 0,
    quiesce: m.header.timeline.some((f) => (f as { kind?: unknown }).kind === 'quiesce'),
    violation: m.violations.length > 0,
  };
  const keys: [string, string, boolean][] = [
    ['duplicate', 'l-duplicate', has.duplicate],
    ['dropped ✕', 'l-dropped', has.dropped],
    ['in flight at the end', 'l-inflight', has.inflight],
    ['crashed', 'l-down', has.down],
    ['paused', 'l-paused', has.paused],
    ['partition', 'l-partition', has.partition],
    ['loss burst', 'l-loss', has.loss],
    ['⚡ disk corruption', 'l-corrupt', has.corrupt],
    ['quiesce', 'l-quiesce', has.quiesce],
    ['violation', 'l-violation', has.violation],
  ];
  const types = m.messageTypes.slice(0, 16).map((t) => el('span', { class: 'key-type', testid: `legend-type-${t}` }, el('span', { class: 'swatch', style: { background: typeColor(m.messageTypes, t) } }), t));
  replace(
    legend,
    ...types,
    m.messageTypes.length > 16 ? el('span', { class: 'muted' }, `+${m.messageTypes.length - 16} more types (see the message filter)`) : null,
    ...keys.filter(([, , on]) => on).map(([label, cls]) => el('span', { class: `key ${cls}` }, label)),
    ...bandLegend.map((b) => el('span', { class: 'key-type', testid: 'legend-band' }, el('span', { class: 'swatch', style: { background: b.color } }), b.label)),
    el('span', { class: 'muted' }, ' · scroll to zoom, drag to pan, click to move the cursor, right-click a lane to inject a fault, ? for keys'),
  );
}
store.on('model', buildLegend);
left.appendChild(legend);
const help = el('div', { class: 'help hidden', testid: 'help' }, el('h3', null, 'Keyboard'), el('table', null, ...SHORTCUTS.map(([k, d]) => el('tr', null, el('td', { class: 'mono' }, k), el('td', null, d)))));
const events = new EventsList(document.createElement('div'), store);
const controls = new Controls(
  left,
  store,
  diagram,
  () => events.searchBox.focus(),
  () => help.classList.toggle('hidden'),
);
left.appendChild(events.root);
// The comparison (a second store and diagram, appended to the left column) is made when a second trace is opened, its
// module loaded then: not in the first script's evaluation at start (issue 15: its diagram was built there).
let compare: Compare | undefined;
const comparePicker = el('input', { testid: 'compare-file', attrs: { type: 'file', accept: '.jsonl,.json,.txt' } });
comparePicker.hidden = true;
comparePicker.addEventListener('change', () => {
  const f = comparePicker.files?.[0];
  comparePicker.value = '';
  if (!f) return;
  void import('./compare.ts').then(({ Compare }) => (compare ??= new Compare(left, store)).open(f));
});
left.appendChild(comparePicker);
const compareButton = el('button', { testid: 'compare-open', title: 'open a second trace to compare with this one (aligned lanes, same time window, first difference marked)', onclick: () => comparePicker.click() }, 'Compare with…');
$('export').insertAdjacentElement('beforebegin', compareButton);
/** What tests and the benchmark read (`window.__faultline`): the comparison once made. */
function exposed(rest: Record<string, unknown>): unknown {
  return {
    store,
    diagram,
    get compare() {
      return compare;
    },
    ...rest,
  };
}
document.body.appendChild(help);
// Escape closes the help overlay; a link's #e=<seq> set after load moves the cursor (hashchange).
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') help.classList.add('hidden');
});
window.addEventListener('hashchange', () => {
  const seq = /^#e=(\d+)$/.exec(location.hash)?.[1];
  if (seq !== undefined && store.model) store.setCursor(Number(seq));
});

new Violations(right, store);
const cursorBox = el('div');
right.appendChild(el('section', { class: 'panel', testid: 'cursor-event' }, el('h3', null, 'Event at the cursor'), cursorBox));
const stepper = new Stepper(store, (c) => runDrive(c));
right.appendChild(stepper.root);
const panelHost = el('div');
right.appendChild(panelHost);
let panels: Panel[] = [];

function showCursorEvent(): void {
  const m = store.model;
  if (!m || m.count === 0) return;
  const seq = store.cursor;
  const ev = store.event(seq);
  if (ev) {
    replace(
      cursorBox,
      el('div', { class: 'mono', testid: 'cursor-desc' }, `#${ev.seq}  t=${fmtTime(ev.t)}  ${describeEvent(ev)}`),
      messageLine(seq),
      el('details', null, el('summary', null, 'raw event'), el('pre', { class: 'json' }, fmtJson(ev as never))),
    );
  } else {
    replace(cursorBox, el('div', { class: 'mono muted', testid: 'cursor-desc-loading' }, `#${seq}  t=${fmtTime(m.t[seq] as number)}  ${store.info?.loading ? '(details once the trace is loaded)' : '(reading…)'}`));
  }
}

store.on('cursor', () => {
  showCursorEvent();
  for (const p of panels) p.update();
  scheduleHash();
});
store.on('details', () => {
  if (!cursorBox.querySelector('[data-testid=cursor-desc]') || !cursorBox.querySelector('[data-testid=cursor-message]')) showCursorEvent();
});

// The cursor lives in the URL's fragment (#e=<seq>), so a link to a trace can point at an event.
let hashTimer = 0;
function scheduleHash(): void {
  clearTimeout(hashTimer);
  hashTimer = window.setTimeout(() => history.replaceState(null, '', `${location.pathname}${location.search}#e=${store.cursor}`), 200);
}
const initialSeq = /^#e=(\d+)$/.exec(location.hash)?.[1];
let applyInitialSeq = initialSeq !== undefined;

/** For a delivery, drop or duplicate: the message's body (from its send) and its life, so the cursor panel says what arrived. */
function messageLine(seq: number): HTMLElement | null {
  const m = store.model;
  const mi = m ? (m.msgOf[seq] as number) : -1;
  if (!m || mi < 0) return null;
  const sendSeq = m.mSendSeq[mi] as number;
  const send = store.event(sendSeq);
  const dupOf = m.mDupOf[mi] as number;
  const endT = m.mEndT[mi] as number;
  const sendT = m.mSendT[mi] as number;
  const outcome = m.mOutcome[mi] === OUTCOME.delivered ? 'delivered' : 'dropped';
  const end = m.mEndSeq[mi] as number;
  const endEv = end >= 0 ? store.event(end) : undefined;
  const reason = endEv?.type === 'drop' ? ` (${endEv.reason})` : '';
  const body = send?.type === 'send' ? JSON.stringify(send.msg) : send?.type === 'duplicate' ? `duplicate of #${send.of}` : dupOf >= 0 ? `duplicate of #${m.mId[dupOf]}` : '…';
  const life = !Number.isNaN(endT) ? `${outcome} at ${fmtTime(endT)} after ${fmtTime(endT - sendT)}${reason}` : 'still in flight at the end';
  return el('div', { class: 'mono small', testid: send || dupOf >= 0 ? 'cursor-message' : 'cursor-message-loading' }, `message #${m.mId[mi]} ${m.nodes[m.mFrom[mi] as number]} → ${m.nodes[m.mTo[mi] as number]}, sent ${fmtTime(sendT)} (event #${sendSeq}), ${life}: ${body}`);
}

// ---------------------------------------------------------------- messages

function showProblem(title: string, detail: string[]): void {
  replace(banner, el('strong', null, title), ...detail.map((d) => el('div', { class: 'mono' }, d)));
  banner.className = 'banner error';
  banner.dataset.testid = 'error';
}

function showWarnings(ws: string[]): void {
  if (ws.length === 0) {
    banner.className = 'banner hidden';
    replace(banner);
    return;
  }
  replace(banner, ...ws.map((w) => el('div', null, `⚠ ${w}`)));
  banner.className = 'banner warning';
  banner.dataset.testid = 'warning';
}

// ---------------------------------------------------------------- loading

export interface Timings {
  /** Reading, parsing, checking and building the columns, in the loader worker. */
  parseMs: number;
  /** From the model's arrival to the end of the first draw (main thread). */
  renderMs: number;
  /** From the start of the load to the end of the first draw. */
  totalMs: number;
}

/** What the page showed at the first drawing of a trace (tests and the benchmark read it from `window.__faultline`). */
export interface FirstDrawing {
  /** From the start of the load to the end of the first draw (ms). */
  ms: number;
  /** Events drawn then (fewer than the trace's when drawn while loading). */
  events: number;
  /** The time axis then ([start, end], µs). */
  axis: [number, number];
  /** The axis end was the run's end (read from the trace's end line first). */
  runEndKnown: boolean;
  /** Time of the last event loaded then (µs). */
  loadedT: number;
  /** The share of the run's time (from its first event to its end) the events drawn then cover, 0 to 1; undefined when the run's end was not known. */
  share: number | undefined;
}

let loader: Loader | undefined;
let loadSeq = 0;

/**
 * Load a trace through a fresh loader worker (streaming parse into columns),
 * then draw it. On failure the page says what is wrong and where, and keeps
 * what it showed before (and its worker).
 */
async function loadSource(source: LoadSource, label: string, extra: string[] = []): Promise<boolean> {
  const mine = ++loadSeq;
  const t0 = performance.now();
  const next = new Loader();
  // The panels' module (every protocol's panels, the history check's panel) is needed once the trace is loaded: a
  // chunk of its own, fetched and evaluated while the trace loads, not in the first script (issue 15).
  const panelsModule = import('./panels/index.ts');
  panelsModule.catch(() => undefined);
  setStatus(`loading ${label} …`);
  let msg;
  /** The first drawing of the events loaded so far (while the rest loads), if there was one. */
  let firstDrawing: FirstDrawing | undefined;
  /** The page's time on the drawings while loading (ms), and how many there were. */
  let partialMs = 0;
  let partials = 0;
  /** The page shows the events loaded so far (the first partial's views are set; its drawing may be a task later). */
  let shown = false;
  /** The complete model has come (a first drawing still in progress then is not the first drawing: the complete one is). */
  let complete = false;
  let lastPartial: PartialMessage | undefined;
  const onPartial = (p: PartialMessage): void => {
    if (mine !== loadSeq) return;
    const tp = performance.now();
    partials++;
    timed('partial', () => drawPartial(p));
    partialMs += performance.now() - tp;
  };
  const drawPartial = (p: PartialMessage): void => {
    const pm = p.model;
    const partialInfo = { source: label, warnings: [], footer: undefined, timings: {}, loading: { bytes: p.bytes, total: p.total, runEndKnown: p.runEndKnown } };
    lastPartial = p;
    if (!shown) {
      shown = true;
      empty.classList.add('hidden');
      document.body.classList.add('loaded');
      store.load(pm, partialInfo);
      stepper.loaded(undefined);
      panels = [];
      diagram.setLaneBands(() => []);
      renderLegend(pm, []);
      replace(panelHost, el('section', { class: 'panel muted', testid: 'panels-loading' }, 'The panels (published states, history) appear once the whole trace is loaded.'));
      // The drawing in a task of its own (the model's arrival and the views' update are one already; issue 15), after
      // the frame that lays out the page just shown: drawn sooner, it would lay the page out itself (the diagram's
      // width), the layout and the whole-run drawing in one task.
      void new Promise<void>((ok) => requestAnimationFrame(() => ok())).then(yieldToPage).then(async () => {
        if (mine !== loadSeq || firstDrawing || !lastPartial) return;
        const td = performance.now();
        // As on an animation frame: the overlay (cursor) may come a frame later, the whole-run drawing's task holds the base only.
        timed('first-draw', () => diagram.draw(true));
        partialMs += performance.now() - td;
        // A big drawing is drawn over a few frames and shown once complete (issue 15): the first drawing is then. Not
        // when the complete model came first (its drawing is the first; `firstDrawing` stays undefined).
        await diagram.drawn();
        if (mine !== loadSeq || complete || firstDrawing || !lastPartial) return;
        // The events drawn then (a partial may have come in between, and its drawing replaced this one).
        const q = lastPartial;
        const dm = q.model;
        firstDrawing = { ms: performance.now() - t0, events: dm.count, axis: diagram.axisDomain, runEndKnown: q.runEndKnown, loadedT: dm.loadedT ?? dm.endT, share: q.runEndKnown ? timeShare([dm.startT, dm.loadedT ?? dm.endT], dm.endT) : undefined };
        (window as unknown as { __faultline: unknown }).__faultline = exposed({ timings: {}, loading: label, firstDrawing });
      });
    } else store.update(pm, partialInfo);
    const pct = p.total ? ` (${Math.round((100 * p.bytes) / p.total)}%)` : '';
    replace(
      info,
      // Test ids of their own: `trace-source` and `trace-scenario` name a trace once it is loaded.
      el('span', { testid: 'trace-source-loading' }, label),
      ' · ',
      el('strong', { testid: 'trace-scenario-loading' }, pm.header.scenario),
      ` (${pm.header.protocol}, seed ${pm.header.seed}) · `,
      el('span', { testid: 'trace-loading' }, `loading: ${pm.count} events so far${pct}, up to ${fmtTime(pm.loadedT ?? pm.endT)} of ${p.runEndKnown ? fmtTime(pm.endT) : 'an end not known yet'}; hash, search, panels and lane bands once loaded`),
    );
  };
  try {
    msg = await next.open(
      source,
      SYNC_LIMIT,
      (bytes, total, evs) => {
        if (mine === loadSeq) setStatus(`loading ${label}: ${(bytes / 1e6).toFixed(0)}${total ? ` of ${(total / 1e6).toFixed(0)}` : ''} MB, ${evs} events …`);
      },
      onPartial,
    );
  } catch (err) {
    next.terminate();
    if (mine === loadSeq) setStatus('');
    // Drawn while loading, then the load failed: the page says what it shows (the events read before the problem).
    const shownMark = info.querySelector('[data-testid=trace-loading]');
    if (shown && mine === loadSeq && shownMark) shownMark.textContent = `not loaded: showing the ${store.model?.count ?? 0} events read before the problem below`;
    const e = err as { title?: string; message?: string };
    const show = (): void => showProblem(e.title ?? 'This trace cannot be shown:', [e.message || 'could not start (see the browser console)']);
    if (e.title === 'The trace loader failed:') void reloadIfRebuilt(e.message ?? '').then((reloads) => reloads || show());
    else show();
    return false;
  }
  if (mine !== loadSeq) {
    next.terminate();
    return false;
  }
  setStatus('');
  loader?.terminate();
  loader = next;
  const t1 = performance.now();
  await yieldToPage();
  if (mine !== loadSeq) return false;
  const model = msg.model;
  complete = true;
  empty.classList.add('hidden');
  document.body.classList.add('loaded');
  const footer = msg.footer;
  const fullInfo = { source: label, warnings: msg.warnings, footer, timings: {}, events: msg.events, remote: msg.events ? undefined : next };
  // Drawn while loading: the same trace, complete now (the cursor, zoom, filters and search stay).
  timed('store', () => (shown ? store.update(model, fullInfo) : store.load(model, fullInfo)));
  stepper.loaded(undefined);
  // The rest in tasks of their own (each under a frame's worth on a big trace, issue 15), the page live between them.
  await yieldToPage();
  if (mine !== loadSeq) return false;
  const { buildPanels } = await panelsModule;
  if (mine !== loadSeq) return false;
  const built = timed('panels-build', () => buildPanels(store, model));
  panels = built.panels;
  // A big trace's bands come computed by the loader worker after the first paint (they read every state; the page
  // decodes states only when shown): none until then.
  const later = msg.bandsLater === true;
  diagram.setLaneBands(later ? () => [] : built.view?.laneBands);
  timed('legend', () => renderLegend(model, built.view?.legend ?? []));
  replace(panelHost, ...panels.map((p) => p.root));
  timed('panels-update', () => {
    for (const p of panels) p.update();
  });
  if (applyInitialSeq) {
    applyInitialSeq = false;
    store.setCursor(Number(initialSeq));
  }
  await yieldToPage();
  if (mine !== loadSeq) return false;
  timed('draw', () => diagram.draw());
  const t2 = performance.now();
  // The loader's background work (hash check, lane bands, search filters) waited for this drawing.
  next.drawn();
  const timings: Timings & Record<string, number> = { parseMs: msg.timings.parseMs, renderMs: t2 - t1, totalMs: t2 - t0, bytes: msg.timings.bytes, streamedMs: msg.timings.streamedMs, indexerMs: msg.timings.indexerMs, gatherMs: msg.timings.gatherMs, loaderOpenedMs: msg.timings.openedAt - (performance.timeOrigin + t0), modelPostedMs: msg.timings.postedAt - (performance.timeOrigin + t0), modelArrivedMs: (msg.timings.arrivedAt ?? 0) - (performance.timeOrigin + t0), partialDrawMs: partialMs, partials, bandsLater: later ? 1 : 0, firstDrawingMs: firstDrawing?.ms ?? t2 - t0 };
  store.info!.timings = timings;
  const h = model.header;
  const hashLabel = (state: string): string => (footer ? `${footer.hash.slice(0, 16)}… ${state}` : 'none (truncated)');
  const hashEl = el('span', { testid: 'trace-hash', class: 'mono', title: footer?.hash ?? '', attrs: { 'data-hash': footer?.hash ?? '' } }, hashLabel('(checking…)'));
  replace(
    info,
    el('span', { testid: 'trace-source' }, label),
    ' · ',
    el('strong', { testid: 'trace-scenario' }, h.scenario),
    ` (${h.protocol}, seed ${h.seed}) · ${model.count} events · ${model.nodes.length} nodes · ${fmtTime(model.endT)} · hash `,
    hashEl,
    ` · loaded in ${timings.totalMs.toFixed(0)} ms${firstDrawing ? ` (first drawing at ${firstDrawing.ms.toFixed(0)} ms)` : ''}`,
  );
  showWarnings([...msg.warnings, ...extra]);
  // The worker checks the hash after the first paint: it reads every byte again, and the picture should not wait for it.
  next.onVerified = (state) => {
    if (loader !== next) return;
    hashEl.textContent = hashLabel(state === 'ok' ? '✓ verified' : state === 'mismatch' ? '✗ MISMATCH' : '');
    hashEl.dataset.verified = state;
    timings.verifiedMs = performance.now() - t0;
    if (state === 'mismatch') showWarnings([...msg.warnings, ...extra, 'the trace hash does not match its end line: the file was edited or damaged after the run']);
  };
  next.onIndexed = (events, ms) => {
    timings.indexedEvents = events;
    timings.indexMs = ms;
  };
  next.onFiltered = (ms) => {
    timings.filterMs = ms;
    timings.filteredMs = performance.now() - t0;
  };
  next.onBands = (bands) => {
    if (loader !== next || !later) return;
    diagram.setLaneBands(() => bands);
    renderLegend(model, built.view?.legend ?? []);
    timings.bandsMs = performance.now() - t0;
    timed('bands-draw', () => diagram.draw());
  };
  document.title = `${h.scenario} · Faultline`;
  (window as unknown as { __faultline: unknown }).__faultline = exposed({ timings, loaded: label, firstDrawing: firstDrawing ?? { ms: timings.totalMs, events: model.count, axis: diagram.axisDomain, runEndKnown: true, loadedT: model.endT, share: 1 } });
  return true;
}

function loadFile(file: File): Promise<boolean> {
  return loadSource({ kind: 'blob', blob: file, name: file.name }, file.name);
}

function loadUrl(url: string): Promise<boolean> {
  const name = decodeURIComponent(url.replace(/[?#].*$/, '').replace(/^.*\//, '')) || url;
  return loadSource({ kind: 'url', url: new URL(url, location.href).href, name }, name);
}

function setStatus(text: string): void {
  $('status').textContent = text;
}

// File picker and drag and drop.
const picker = $<HTMLInputElement>('file');
picker.addEventListener('change', () => {
  const f = picker.files?.[0];
  if (f) void loadFile(f);
  picker.value = '';
});
$('open').addEventListener('click', () => picker.click());
let dragDepth = 0;
document.addEventListener('dragenter', (ev) => {
  ev.preventDefault();
  dragDepth++;
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', () => {
  if (--dragDepth <= 0) document.body.classList.remove('dragging');
});
document.addEventListener('dragover', (ev) => ev.preventDefault());
document.addEventListener('drop', (ev) => {
  ev.preventDefault();
  dragDepth = 0;
  document.body.classList.remove('dragging');
  const f = ev.dataTransfer?.files?.[0];
  if (f) void loadFile(f);
});
$('export').addEventListener('click', () => {
  const m = store.model;
  if (!m || !loader) return;
  setStatus('exporting …');
  void loader.exportChrome().then(
    (blob) => {
      setStatus('');
      download(blob, `${m.header.scenario}-seed${m.header.seed}.chrome-trace.json`);
    },
    (err: unknown) => {
      setStatus('');
      showProblem('The export failed:', [String(err)]);
    },
  );
});
$('help-btn').addEventListener('click', () => help.classList.toggle('hidden'));

// ---------------------------------------------------------------- live runs

const scenarioSel = $<HTMLSelectElement>('scenario');
let scenarioList: ScenarioEntry[] = [];

/** The drop-down shows the loaded trace's scenario (or says it is not one of scenarios/), not whatever was first. */
function syncScenario(): void {
  const h = store.model?.header;
  if (!h) return;
  scenarioSel.querySelector('option[data-loaded]')?.remove();
  const entry = scenarioList.find((s) => s.name === h.scenario);
  if (entry) scenarioSel.value = entry.file;
  else if (scenarioList.length > 0) {
    const opt = el('option', { attrs: { value: '', 'data-loaded': '' } }, `${h.scenario} (${h.protocol}) — loaded trace, not in scenarios/`);
    opt.disabled = true;
    scenarioSel.prepend(opt);
    scenarioSel.value = '';
  }
  syncRunButton();
}
store.on('model', syncScenario);
const seedBox = $<HTMLInputElement>('seed');
const runBtn = $<HTMLButtonElement>('run');
let worker: Worker | undefined;
let running = false;

/**
 * A part of the viewer a rebuild of ui/dist removed: Vite names built files by their content's hash, so a page
 * opened before `faultline view` rebuilt the viewer asks for files that are gone (a scenario of the live worker,
 * a worker's own script).
 */
const STALE_BUILD = /failed to fetch dynamically imported module|error loading dynamically imported module|importing a module script failed/i;

/**
 * Reload the page (its URL keeps the trace and the cursor) when the viewer was rebuilt under it: the failure says
 * a module could not be fetched, or is a worker's failure to start (no message), and the page served now loads
 * another script than this one. At most once in 30 s, so a reload that does not help leaves the problem shown.
 * Resolves true if it reloads.
 */
async function reloadIfRebuilt(message: string): Promise<boolean> {
  if (message !== '' && !STALE_BUILD.test(message)) return false;
  const mine = document.querySelector<HTMLScriptElement>('script[type=module][src]')?.src;
  let html: string;
  try {
    html = await (await fetch(location.pathname, { cache: 'no-store' })).text();
  } catch {
    return false;
  }
  const now = /<script[^>]*type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
  if (!mine || !now || new URL(now, location.href).href === mine) return false;
  const last = Number(sessionStorage.getItem('faultline-reloaded') ?? 0);
  if (Date.now() - last < 30_000) return false;
  sessionStorage.setItem('faultline-reloaded', String(Date.now()));
  location.reload();
  return true;
}
// Vite's event for a dynamic import of the page that failed.
window.addEventListener('vite:preloadError', () => void reloadIfRebuilt('failed to fetch dynamically imported module'));

function getWorker(): Worker {
  if (worker) return worker;
  // Started only to run something (a scenario, a branch): the drop-down's list is static (virtual:faultline-scenarios).
  worker = new Worker(new URL('./live/worker.ts', import.meta.url), { type: 'module', name: 'live' });
  worker.onmessage = (ev: MessageEvent<FromWorker>) => onWorker(ev.data);
  worker.onerror = (ev) => {
    // A worker whose script is gone (a rebuild) fails with no message.
    setRunning(false);
    setStatus('');
    void reloadIfRebuilt(ev.message ?? '').then((reloads) => reloads || showProblem('The live-run worker failed:', [ev.message || 'could not start (see the browser console)']));
  };
  return worker;
}

function send(msg: ToWorker): void {
  getWorker().postMessage(msg);
}

function onWorker(msg: FromWorker): void {
  setRunning(false);
  setStatus('');
  if (msg.kind === 'error') {
    const message = msg.message;
    if (STALE_BUILD.test(message)) void reloadIfRebuilt(message).then((reloads) => reloads || showProblem('The scenario could not run:', [message]));
    else showProblem('The scenario could not run:', [message]);
    return;
  }
  const branch = msg.branch;
  const label = branch ? `branch: ${branch.label} · ${msg.name} seed ${msg.seed}` : `live: ${msg.name} seed ${msg.seed}`;
  void loadSource({ kind: 'blob', blob: msg.blob, name: label }, label).then((ok) => {
    if (!ok) return;
    info.appendChild(el('span', { testid: 'live-result' }, ` · ran in the browser in ${msg.wallMs.toFixed(0)} ms · expectation ${msg.held ? 'held' : 'DID NOT HOLD'}: ${msg.explanation}`));
    if (branch) {
      // The cursor where the branch starts: the first event at or after the injected fault.
      const m = store.model;
      if (m) store.setCursor(branch.at < 0 ? m.count - 1 : Math.min(m.count - 1, lowerBound(m.t, branch.at, m.count)));
      stepper.loaded(msg.step);
      const doc = branch.scenario as Record<string, unknown>;
      const file = `${String(doc.name)}.json`;
      info.append(
        ' · ',
        el(
          'button',
          {
            testid: 'save-scenario',
            title: `download the scenario of this branch (${file}): faultline run ${file} replays it to the same trace hash`,
            onclick: () => download(new Blob([JSON.stringify(branch.scenario, null, 2) + '\n'], { type: 'application/json' }), file),
          },
          'Save as scenario',
        ),
      );
    }
  });
}

function setRunning(on: boolean): void {
  running = on;
  // While a run or branch is going on, the info line (and its Save button) is of the trace being replaced.
  info.classList.toggle('stale', on);
  for (const b of info.querySelectorAll('button')) b.disabled = on;
  runBtn.textContent = on ? 'Stop' : 'Run live';
  syncRunButton();
}

/**
 * Why "Run live" cannot run the drop-down's choice, or undefined when it can: no scenario list, or the entry of a
 * loaded trace whose scenario is not one of scenarios/ (there is no scenario file to run; a known one is selected by
 * its own entry, `syncScenario`, and runs).
 */
function cannotRun(): string | undefined {
  if (scenarioList.length === 0) return 'no scenarios to run';
  if (scenarioSel.value !== '') return undefined;
  const name = store.model?.header.scenario;
  return `the loaded trace's scenario${name ? ` "${name}"` : ''} is not one of scenarios/: pick a scenario in the list to run it live`;
}

/** "Run live" on or off by the drop-down's choice, its title saying why it is off (a Stop button while running). */
function syncRunButton(): void {
  const why = running ? undefined : cannotRun();
  runBtn.disabled = why !== undefined;
  runBtn.title = running ? 'stop the run (the worker is terminated)' : (why ?? 'run the scenario in this page (Web Worker, same engine code)');
}
scenarioSel.addEventListener('change', syncRunButton);

function runLive(file: string, seed: string): void {
  if (file === '') {
    // The button is off then (syncRunButton); never ask the worker for a scenario file ''.
    showProblem('Nothing to run:', [cannotRun() ?? 'no scenario chosen']);
    return;
  }
  setRunning(true);
  setStatus(`running ${file} …`);
  send({ kind: 'run', file, seed });
}

// Faults by click: a branch of the loaded run, re-run in the live worker.
new Injector(store, diagram, (b) => {
  if (running) return;
  setRunning(true);
  setStatus(`running the branch (${b.label}) …`);
  send({ kind: 'branch', scenario: b.scenario, seed: b.seed, label: b.label, at: b.at });
}, (c) => runDrive(c), () => running);

/** Step mode and message faults: a branch on the stepping engine, run in the live worker. */
function runDrive(c: DriveCall): void {
  const m = store.model;
  if (running || !m) return;
  setRunning(true);
  setStatus(`running the branch (${c.label}) …`);
  send({ kind: 'drive', req: { scenario: m.header.config, seed: m.header.seed, prefix: c.prefix, action: c.action, runOn: c.runOn }, label: c.label, at: c.at });
}

runBtn.addEventListener('click', () => {
  if (!running) {
    runLive(scenarioSel.value, seedBox.value);
    return;
  }
  // A run cannot be interrupted from inside (it is one synchronous call): end the worker; the next run starts a fresh one.
  worker?.terminate();
  worker = undefined;
  setRunning(false);
  setStatus('run stopped');
});

// ---------------------------------------------------------------- start

const params = new URLSearchParams(location.search);
const traceParam = params.get('trace');
const runParam = params.get('run');
if (traceParam) void loadUrl(traceParam);
// The scenario list was computed when the viewer was built (a chunk of its own, out of the first script, fetched
// alongside the trace): no worker starts until a scenario or a branch is run.
void import('virtual:faultline-scenarios').then(({ default: listing }) => {
  scenarioList = listing.scenarios;
  replace(scenarioSel, ...scenarioList.map((s) => el('option', { attrs: { value: s.file }, title: `${s.protocol}: ${s.description}` }, `${s.name} (${s.protocol})`)));
  syncScenario();
  syncRunButton();
  if (listing.problems.length) showWarnings(listing.problems.map((p) => `scenario not available: ${p}`));
  if (traceParam || !runParam) return;
  const entry = scenarioList.find((s) => s.file === runParam || s.name === runParam);
  if (!entry) showProblem(`No scenario "${runParam}" to run:`, [`available: ${scenarioList.map((s) => s.name).join(', ')}`]);
  else {
    scenarioSel.value = entry.file;
    seedBox.value = params.get('seed') ?? '';
    runLive(entry.file, seedBox.value);
  }
});
void controls;
