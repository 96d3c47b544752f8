// Faults injected by click: right-click a node's lane (or press a key for the
// lane of the cursor event) to crash, restart, pause, resume, isolate or
// partition off that node, or to heal, at the cursor's time. The page re-runs
// the trace's scenario (the resolved scenario its header records) from the
// same seed with that fault added to the timeline: the same run up to the
// cursor, then the branch, which is loaded and drawn. "Save as scenario"
// downloads that scenario (named <name>-branch, with its seed) as JSON, which
// `faultline run` replays to the same trace hash.

import type { JsonValue } from '../../sim/engine/types.ts';
import { labelOf } from '../../sim/explore/label.ts';
import type { Diagram } from './diagram.ts';
import { el, replace } from './dom.ts';
import { fmtTime } from './format.ts';
import { prefixAtCursor, type DriveCall } from './step.ts';
import type { Store } from './store.ts';

export type InjectKind = 'crash' | 'restart' | 'pause' | 'resume' | 'isolate' | 'partition' | 'heal';

/** Keyboard equivalents, acting on the node of the cursor event. */
export const INJECT_KEYS: Record<string, InjectKind> = { K: 'crash', R: 'restart', P: 'pause', U: 'resume', I: 'isolate', G: 'partition', H: 'heal' };

const LABELS: Record<InjectKind, string> = {
  crash: 'crash',
  restart: 'restart',
  pause: 'pause',
  resume: 'resume',
  isolate: 'isolate (cut every link)',
  partition: 'partition off from the rest',
  heal: 'heal every partition',
};

export interface Branch {
  /** The scenario to run: the trace's with the fault added, renamed <name>-branch, with the trace's seed. */
  scenario: Record<string, JsonValue>;
  seed: string;
  label: string;
  /** True time of the injected fault (µs). */
  at: number;
}

/**
 * The fault spec (scenario timeline entry, `at` in µs) for a kind on a node, injected just after the
 * cursor event at true time t: at t + 1 µs. The engine runs the timeline's faults before every other
 * event of their instant (they are queued first), so a fault at t itself would run before the events of
 * t that precede the cursor (or the cursor event itself), and the branch would not be the same run up to
 * the cursor. At t + 1 µs every event at or before t is unchanged.
 */
export function faultSpec(kind: InjectKind, node: string, t: number, nodes: readonly string[]): Record<string, JsonValue> {
  const at = Math.max(0, Math.round(t)) + 1;
  if (kind === 'heal') return { at, kind };
  if (kind === 'partition') return { at, kind, groups: [[node], nodes.filter((n) => n !== node)] };
  return { at, kind, node };
}

/**
 * The scenario of a branch: the trace header's resolved scenario, its name
 * suffixed with "-branch" (a saved file must be named after its scenario) and
 * the fault appended to its timeline, with the trace's seed. Undefined when the
 * header has no scenario to re-run.
 *
 * The fault is appended, never sorted in: the engine numbers timeline entries
 * by position ("fault 1: ..." log lines, and the random stream a role target
 * such as `@follower` without an `id` picks its node from), and an `after:`
 * entry carries `at: 0` in the header, so sorting by `at` would move it and
 * renumber every fault before the cursor. The engine orders faults by time
 * itself; the timeline need not be sorted.
 */
export function branchScenario(config: JsonValue, seed: string, fault: Record<string, JsonValue>): Record<string, JsonValue> | undefined {
  if (typeof config !== 'object' || config === null || Array.isArray(config) || typeof config.name !== 'string') return undefined;
  const doc = structuredClone(config);
  const faults = (typeof doc.faults === 'object' && doc.faults !== null && !Array.isArray(doc.faults) ? doc.faults : {}) as Record<string, JsonValue>;
  const timeline = Array.isArray(faults.timeline) ? [...faults.timeline, fault] : [fault];
  const name = (config.name as string).endsWith('-branch') ? (config.name as string) : `${config.name as string}-branch`;
  return { ...doc, name, seed, faults: { ...faults, timeline } };
}

/** The status line: a key that cannot act says why there (never silently nothing). */
function say(text: string): void {
  const status = document.getElementById('status');
  if (status) status.textContent = text;
}

export class Injector {
  private readonly menu: HTMLDivElement;

  constructor(
    private readonly store: Store,
    private readonly diagram: Diagram,
    private readonly run: (b: Branch) => void,
    private readonly runDrive: (c: DriveCall) => void,
    /** Whether a run (live or branch) is going on: a branch cannot start then. */
    running: () => boolean = () => false,
  ) {
    this.menu = el('div', { class: 'inject-menu hidden', testid: 'inject-menu', attrs: { role: 'menu' } });
    document.body.appendChild(this.menu);
    diagram.surface.addEventListener('contextmenu', (ev) => {
      const m = store.model;
      if (!m) return;
      // A message in flight at the cursor under the pointer: drop or delay it; else the lane's node.
      const mi = diagram.messageAt(ev.clientX, ev.clientY);
      const sent = mi >= 0 ? (m.mSendSeq[mi] as number) : -1;
      const end = mi >= 0 ? (m.mEndSeq[mi] as number) : -1;
      if (mi >= 0 && sent <= store.cursor && (end < 0 || end > store.cursor)) {
        ev.preventDefault();
        this.openMessage(mi, ev.pageX, ev.pageY);
        return;
      }
      const node = diagram.laneAt(ev.clientY);
      if (!node) return;
      ev.preventDefault();
      this.open(node, ev.pageX, ev.pageY);
    });
    document.addEventListener('mousedown', (ev) => {
      if (!this.menu.contains(ev.target as Node)) this.close();
    });
    document.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.close();
      const t = ev.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA') && (t as HTMLInputElement).type !== 'checkbox' && (t as HTMLInputElement).type !== 'range') return;
      const kind = ev.shiftKey && !ev.ctrlKey && !ev.metaKey && !ev.altKey ? INJECT_KEYS[ev.key.toUpperCase()] : undefined;
      if (!kind) return;
      ev.preventDefault();
      const m = store.model;
      if (!m) return say(`Shift+${ev.key.toUpperCase()} (${kind}): no trace loaded`);
      const lane = m.lane[store.cursor] as number;
      // A heal needs no node; the others act on the cursor event's node, and a cluster-wide event has none.
      if (kind !== 'heal' && lane < 0) return say(`Shift+${ev.key.toUpperCase()} (${kind}) acts on the node of the cursor event, and event #${store.cursor} belongs to no node: move the cursor to an event of the node, or right-click its lane`);
      if (running()) return say(`Shift+${ev.key.toUpperCase()} (${kind}): a run is already going on; wait for it to finish`);
      say('');
      this.inject(kind, kind === 'heal' && lane < 0 ? '' : (m.nodes[lane] as string));
    });
  }

  private open(node: string, x: number, y: number): void {
    const m = this.store.model!;
    const t = m.t[this.store.cursor] as number;
    replace(
      this.menu,
      el('div', { class: 'muted small' }, `${node} at the cursor (${fmtTime(t)}): re-run from the seed with`),
      ...(['crash', 'restart', 'pause', 'resume', 'isolate', 'partition', 'heal'] as InjectKind[]).map((k) =>
        el('button', { testid: `inject-${k}`, attrs: { role: 'menuitem' }, onclick: () => this.inject(k, node) }, `${LABELS[k]}${k === 'heal' ? '' : ` ${node}`}`),
      ),
      el('div', { class: 'muted small' }, `keys: Shift+${Object.entries(INJECT_KEYS).map(([key, k]) => `${key} ${k}`).join(', ')} (node of the cursor event)`),
    );
    this.menu.style.left = `${x}px`;
    this.menu.style.top = `${y}px`;
    this.menu.classList.remove('hidden');
  }

  /** The menu for one message in flight at the cursor: drop it, or delay it by some ms; the run goes on from there. */
  private openMessage(mi: number, x: number, y: number): void {
    const m = this.store.model!;
    const t = m.t[this.store.cursor] as number;
    const from = m.nodes[m.mFrom[mi] as number] as string;
    const to = m.nodes[m.mTo[mi] as number] as string;
    const type = m.messageTypes[m.mType[mi] as number] as string;
    const id = m.mId[mi] as number;
    const label = labelOf({ kind: 'deliver', q: 0, t, id, from, to, msg: { type } });
    const ms = el('input', { testid: 'delay-ms', attrs: { type: 'number', min: '1', value: '100', size: '5', 'aria-label': 'delay in ms' } });
    const go = (action: DriveCall['action'], what: string): void => {
      this.close();
      const prefix = prefixAtCursor(this.store);
      if (typeof prefix === 'string') {
        this.problem(prefix);
        return;
      }
      this.runDrive({ prefix, action, runOn: true, label: `${what} at ${fmtTime(t)}`, at: t });
    };
    replace(
      this.menu,
      el('div', { class: 'muted small' }, `${type} #${id} ${from} → ${to}, in flight at the cursor (${fmtTime(t)}): run on from here with it`),
      el('button', { testid: 'inject-drop', attrs: { role: 'menuitem' }, onclick: () => go({ kind: 'take', label: label.replace(/^deliver/, 'drop') }, `drop ${type} #${id}`) }, `dropped (lost in the network)`),
      el(
        'div',
        null,
        el('button', { testid: 'inject-delay', attrs: { role: 'menuitem' }, onclick: () => go({ kind: 'delay', label, by: Math.max(1, Number(ms.value) || 100) * 1000 }, `delay ${type} #${id} by ${ms.value} ms`) }, 'delayed by'),
        ' ',
        ms,
        ' ms',
      ),
      el('div', { class: 'muted small' }, 'the branch runs on the stepping engine: events in time order, no random losses, no later timeline faults'),
    );
    this.menu.style.left = `${x}px`;
    this.menu.style.top = `${y}px`;
    this.menu.classList.remove('hidden');
  }

  /** Shown in the menu's place when a branch cannot start here. */
  private problem(text: string): void {
    replace(this.menu, el('div', { class: 'small', testid: 'inject-problem' }, text), el('button', { onclick: () => this.close() }, 'OK'));
    this.menu.classList.remove('hidden');
  }

  close(): void {
    this.menu.classList.add('hidden');
  }

  inject(kind: InjectKind, node: string): void {
    this.close();
    const m = this.store.model;
    if (!m) return;
    const t = m.t[this.store.cursor] as number;
    const fault = faultSpec(kind, node, t, m.header.nodes.map((n) => n.id));
    const scenario = branchScenario(m.header.config, m.header.seed, fault);
    if (!scenario) return;
    this.run({ scenario, seed: m.header.seed, label: `${kind}${kind === 'heal' ? '' : ` ${node}`} at ${fmtTime(t)}`, at: fault.at as number });
    void this.diagram;
  }
}
