// The viewer page: wires the loaders (file picker, drag and drop, ?trace=URL,
// live run in a worker) to the store, and the store to the views. Every
// failure to load ends in a message on the page that says what and where.

import { InputError } from '../../sim/scenario/errors.ts';
import { describeEvent } from '../../sim/trace/chrome.ts';
import { buildModel } from '../../sim/trace/model.ts';
import { parseTrace, verifyTraceHash } from '../../sim/trace/parse.ts';
import { Controls, SHORTCUTS } from './controls.ts';
import { Diagram } from './diagram.ts';
import { el, replace } from './dom.ts';
import { EventsList } from './events-list.ts';
import { exportChrome } from './export.ts';
import { fmtJson, fmtTime } from './format.ts';
import type { FromWorker, ScenarioEntry, ToWorker } from './live/protocol.ts';
import { Overview } from './overview.ts';
import { buildPanels } from './panels/index.ts';
import type { Panel } from './panels/panel.ts';
import { Store } from './store.ts';
import { Violations } from './violations.ts';
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
const legend = el(
  'div',
  { class: 'legend small' },
  ...[
    ['delivered', 'l-delivered'],
    ['duplicate', 'l-duplicate'],
    ['dropped ✕', 'l-dropped'],
    ['in flight at the end', 'l-inflight'],
    ['crashed', 'l-down'],
    ['paused', 'l-paused'],
    ['partition', 'l-partition'],
    ['violation', 'l-violation'],
    ['Raft leader / candidate', 'l-leader'],
  ].map(([label, cls]) => el('span', { class: `key ${cls}` }, label as string)),
  el('span', { class: 'muted' }, ' · scroll to zoom, drag to pan, click to move the cursor, ? for keys'),
);
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
document.body.appendChild(help);

new Violations(right, store);
const cursorBox = el('div');
right.appendChild(el('section', { class: 'panel', testid: 'cursor-event' }, el('h3', null, 'Event at the cursor'), cursorBox));
const panelHost = el('div');
right.appendChild(panelHost);
let panels: Panel[] = [];

store.on('cursor', () => {
  const ev = store.cursorEvent();
  if (ev) {
    replace(
      cursorBox,
      el('div', { class: 'mono', testid: 'cursor-desc' }, `#${ev.seq}  t=${fmtTime(ev.t)}  ${describeEvent(ev)}`),
      messageLine(ev.seq),
      el('details', null, el('summary', null, 'raw event'), el('pre', { class: 'json' }, fmtJson(ev as never))),
    );
  }
  for (const p of panels) p.update();
  scheduleHash();
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
  const mi = m?.messageOfEvent[seq] ?? -1;
  const r = m && mi >= 0 ? m.messages[mi] : undefined;
  if (!m || !r) return null;
  const send = m.events[r.sendSeq];
  const body = send?.type === 'send' ? JSON.stringify(send.msg) : r.dupOf !== undefined ? `duplicate of #${r.dupOf}` : '';
  const life = r.endT !== undefined ? `${r.outcome} at ${fmtTime(r.endT)} after ${fmtTime(r.endT - r.sendT)}${r.reason ? ` (${r.reason})` : ''}` : 'still in flight at the end';
  return el('div', { class: 'mono small', testid: 'cursor-message' }, `message #${r.id} ${r.from} → ${r.to}, sent ${fmtTime(r.sendT)} (event #${r.sendSeq}), ${life}: ${body}`);
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
  parseMs: number;
  modelMs: number;
  renderMs: number;
  totalMs: number;
}

/** Parse, model and draw a trace text. On failure the page says what is wrong and where, and keeps what it showed before. */
function loadText(text: string, source: string, extra: string[] = []): boolean {
  const t0 = performance.now();
  let parsed;
  try {
    parsed = parseTrace(text, { file: source });
  } catch (err) {
    if (err instanceof InputError) showProblem('This trace cannot be shown:', [err.describe()]);
    else showProblem('This trace cannot be shown (unexpected error):', [String(err)]);
    return false;
  }
  const t1 = performance.now();
  const model = buildModel(parsed);
  const t2 = performance.now();
  empty.classList.add('hidden');
  document.body.classList.add('loaded');
  store.load(model, { source, parsed, timings: {} });
  panels = buildPanels(store, model);
  replace(panelHost, ...panels.map((p) => p.root));
  for (const p of panels) p.update();
  if (applyInitialSeq) {
    applyInitialSeq = false;
    store.setCursor(Number(initialSeq));
  }
  diagram.draw();
  const t3 = performance.now();
  const timings: Timings = { parseMs: t1 - t0, modelMs: t2 - t1, renderMs: t3 - t2, totalMs: t3 - t0 };
  store.info!.timings = timings as unknown as Record<string, number>;
  const h = parsed.header;
  const hashLabel = (state: string): string => (parsed.footer ? `${parsed.footer.hash.slice(0, 16)}… ${state}` : 'none (truncated)');
  const hashEl = el('span', { testid: 'trace-hash', class: 'mono', title: parsed.footer?.hash ?? '', attrs: { 'data-hash': parsed.footer?.hash ?? '' } }, hashLabel('(checking…)'));
  replace(
    info,
    el('span', { testid: 'trace-source' }, source),
    ' · ',
    el('strong', { testid: 'trace-scenario' }, h.scenario),
    ` (${h.protocol}, seed ${h.seed}) · ${model.events.length} events · ${model.nodes.length} nodes · ${fmtTime(model.endT)} · hash `,
    hashEl,
    ` · loaded in ${timings.totalMs.toFixed(0)} ms`,
  );
  showWarnings([...parsed.warnings, ...extra]);
  // Verify the hash after the first paint: it reads every byte again, and the picture should not wait for it.
  const loadedAt = store.info;
  if (parsed.footer) {
    window.setTimeout(() => {
      const state = verifyTraceHash(text);
      if (store.info !== loadedAt) return;
      hashEl.textContent = hashLabel(state === 'ok' ? '✓ verified' : state === 'mismatch' ? '✗ MISMATCH' : '');
      hashEl.dataset.verified = state;
      if (state === 'mismatch') showWarnings([...parsed.warnings, ...extra, 'the trace hash does not match its end line: the file was edited or damaged after the run']);
    }, 30);
  }
  document.title = `${h.scenario} · Faultline`;
  (window as unknown as { __faultline: unknown }).__faultline = { store, diagram, timings, loaded: source };
  return true;
}

async function loadFile(file: File): Promise<void> {
  try {
    loadText(await file.text(), file.name);
  } catch (err) {
    showProblem(`Could not read ${file.name}:`, [String(err)]);
  }
}

async function loadUrl(url: string): Promise<void> {
  const name = decodeURIComponent(url.replace(/[?#].*$/, '').replace(/^.*\//, '')) || url;
  setStatus(`loading ${url} …`);
  try {
    const res = await fetch(url);
    if (!res.ok) {
      showProblem(`Could not load the trace ${url}:`, [`HTTP ${res.status} ${res.statusText}`]);
      return;
    }
    loadText(await res.text(), name);
  } catch (err) {
    showProblem(`Could not load the trace ${url}:`, [err instanceof Error ? err.message : String(err)]);
  } finally {
    setStatus('');
  }
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
  if (store.model) exportChrome(store.model);
});
$('help-btn').addEventListener('click', () => help.classList.toggle('hidden'));

// ---------------------------------------------------------------- live runs

const scenarioSel = $<HTMLSelectElement>('scenario');
const seedBox = $<HTMLInputElement>('seed');
const runBtn = $<HTMLButtonElement>('run');
let worker: Worker | undefined;
let running = false;
let pendingList: ((s: ScenarioEntry[]) => void) | undefined;

function getWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./live/worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (ev: MessageEvent<FromWorker>) => onWorker(ev.data);
  worker.onerror = (ev) => {
    showProblem('The live-run worker failed:', [ev.message || 'could not start (see the browser console)']);
    setRunning(false);
    setStatus('');
  };
  return worker;
}

function send(msg: ToWorker): void {
  getWorker().postMessage(msg);
}

function onWorker(msg: FromWorker): void {
  if (msg.kind === 'list') {
    replace(scenarioSel, ...msg.scenarios.map((s) => el('option', { attrs: { value: s.file }, title: `${s.protocol}: ${s.description}` }, `${s.name} (${s.protocol})`)));
    runBtn.disabled = msg.scenarios.length === 0;
    if (msg.problems.length) showWarnings(msg.problems.map((p) => `scenario not available: ${p}`));
    pendingList?.(msg.scenarios);
    return;
  }
  setRunning(false);
  setStatus('');
  if (msg.kind === 'error') {
    showProblem('The scenario could not run:', [msg.message]);
    return;
  }
  const ok = loadText(msg.text, `live: ${msg.name} seed ${msg.seed}`);
  if (ok) {
    info.appendChild(el('span', { testid: 'live-result' }, ` · ran in the browser in ${msg.wallMs.toFixed(0)} ms · expectation ${msg.held ? 'held' : 'DID NOT HOLD'}: ${msg.explanation}`));
  }
}

function setRunning(on: boolean): void {
  running = on;
  runBtn.textContent = on ? 'Stop' : 'Run live';
  runBtn.title = on ? 'stop the run (the worker is terminated)' : 'run the scenario in this page (Web Worker, same engine code)';
}

function runLive(file: string, seed: string): void {
  setRunning(true);
  setStatus(`running ${file} …`);
  send({ kind: 'run', file, seed });
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
const listed = new Promise<ScenarioEntry[]>((resolve) => (pendingList = resolve));
const traceParam = params.get('trace');
const runParam = params.get('run');
// Loading every scenario module in the worker costs CPU: when a trace is asked for, show it first.
if (traceParam) void loadUrl(traceParam).finally(() => send({ kind: 'list' }));
else send({ kind: 'list' });
if (!traceParam && runParam) {
  void listed.then((list) => {
    const entry = list.find((s) => s.file === runParam || s.name === runParam);
    if (!entry) showProblem(`No scenario "${runParam}" to run:`, [`available: ${list.map((s) => s.name).join(', ')}`]);
    else {
      scenarioSel.value = entry.file;
      seedBox.value = params.get('seed') ?? '';
      runLive(entry.file, seedBox.value);
    }
  });
}
void controls;
