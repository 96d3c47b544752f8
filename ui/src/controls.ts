// The time cursor's controls: scrubber, step to the previous/next event,
// play/pause at a chosen speed of virtual time, and keyboard shortcuts.
// Playing advances virtual time in proportion to wall time, so a burst of
// events at one instant goes by at once and a quiet second takes a second
// (at 1x).

import { lastAtOrBeforeCol } from '../../sim/trace/columns.ts';
import type { Diagram } from './diagram.ts';
import { el } from './dom.ts';
import { fmtTime } from './format.ts';
import type { Store } from './store.ts';

const SPEEDS: [string, number][] = [
  ['0.001×', 0.001],
  ['0.01×', 0.01],
  ['0.1×', 0.1],
  ['1×', 1],
  ['10×', 10],
];

export const SHORTCUTS: [string, string][] = [
  ['Space', 'play / pause'],
  ['→ / ←', 'next / previous event (respects filters)'],
  ['Shift+→ / Shift+←', 'jump 100 events'],
  ['Home / End', 'first / last event'],
  ['V', 'next violation (jump to its cause)'],
  ['+ / −', 'zoom in / out'],
  ['0', 'show the whole run'],
  ['C', 'causal past of the cursor event on / off'],
  ['/', 'search events'],
  ['right-click a lane', 'inject a fault on that node at the cursor (re-run from the seed)'],
  ['Shift+K / R / P / U / I / G', 'crash / restart / pause / resume / isolate / partition off the node of the cursor event'],
  ['Shift+H', 'heal every partition at the cursor'],
  ['?', 'show this help'],
];

export class Controls {
  readonly root: HTMLDivElement;
  private readonly scrub: HTMLInputElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly speed: HTMLSelectElement;
  private readonly where: HTMLSpanElement;
  private playing = false;
  private lastWall = 0;
  /** Virtual time the playhead has reached (between events). */
  private playT = 0;
  private violationIdx = -1;

  constructor(
    parent: HTMLElement,
    private readonly store: Store,
    private readonly diagram: Diagram,
    private readonly focusSearch: () => void,
    private readonly toggleHelp: () => void,
  ) {
    this.scrub = el('input', { testid: 'scrubber', class: 'scrubber', attrs: { type: 'range', min: '0', max: '0', value: '0', 'aria-label': 'time cursor' } });
    this.scrub.addEventListener('input', () => store.setCursor(Number(this.scrub.value)));
    this.playBtn = el('button', { testid: 'play', title: 'play / pause (Space)', onclick: () => this.toggle() }, '▶ play');
    this.speed = el('select', { testid: 'speed', title: 'playback speed: virtual time per wall time', attrs: { 'aria-label': 'speed' } }, ...SPEEDS.map(([label, v]) => el('option', { attrs: { value: String(v) } }, label)));
    this.speed.value = '0.01';
    this.where = el('span', { class: 'where', testid: 'cursor-pos' });
    this.root = el(
      'div',
      { class: 'controls' },
      el('button', { testid: 'first', title: 'first event (Home)', onclick: () => store.setCursor(0) }, '|◀'),
      el('button', { testid: 'prev', title: 'previous event (←)', onclick: () => store.step(-1) }, '◀ prev'),
      this.playBtn,
      el('button', { testid: 'next', title: 'next event (→)', onclick: () => store.step(1) }, 'next ▶'),
      el('button', { testid: 'last', title: 'last event (End)', onclick: () => store.setCursor(Infinity) }, '▶|'),
      el('label', null, ' speed ', this.speed),
      this.causalToggle(),
      this.animateToggle(),
      this.scrub,
      this.where,
    );
    // Clicking a control should not focus it: Space then stays "play/pause", not "press the focused button".
    for (const b of this.root.querySelectorAll('button')) b.addEventListener('mousedown', (ev) => ev.preventDefault());
    parent.appendChild(this.root);
    store.on('model', () => {
      this.scrub.max = String(Math.max(0, (store.model?.count ?? 1) - 1));
      this.pause();
      this.violationIdx = -1;
    });
    store.on('cursor', () => this.update());
    document.addEventListener('keydown', (ev) => this.key(ev));
  }

  private animateToggle(): HTMLLabelElement {
    const box = el('input', { attrs: { type: 'checkbox' }, testid: 'animate' });
    box.addEventListener('change', () => {
      this.store.animate = box.checked;
      this.diagram.redrawOverlay();
    });
    return el('label', { title: 'while playing, draw each message in flight as a dot moving from sender to receiver (as RaftScope does); best at slow speeds' }, box, ' animate');
  }

  private causalToggle(): HTMLLabelElement {
    const box = el('input', { attrs: { type: 'checkbox' }, testid: 'causal' });
    box.addEventListener('change', () => {
      this.store.causal = box.checked;
      this.store.emit('cursor');
    });
    return el('label', { title: 'highlight every event that happened-before the cursor event (Lamport), and the messages that carried it (C)' }, box, ' causal past');
  }

  private update(): void {
    const m = this.store.model;
    const ev = this.store.cursorEvent();
    if (!m || !ev) return;
    this.scrub.value = String(this.store.cursor);
    this.where.textContent = `event #${ev.seq} of ${m.count}   t = ${fmtTime(ev.t)}`;
    if (!this.playing) this.diagram.reveal(ev.t);
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  private play(): void {
    const m = this.store.model;
    if (!m || m.count === 0) return;
    if (this.store.cursor >= m.count - 1) this.store.setCursor(0);
    this.playing = true;
    this.playBtn.textContent = '‖ pause';
    this.playT = this.store.cursorEvent()?.t ?? 0;
    this.lastWall = performance.now();
    requestAnimationFrame((now) => this.tick(now));
  }

  private pause(): void {
    this.playing = false;
    this.store.playT = undefined;
    this.diagram.redrawOverlay();
    this.playBtn.textContent = '▶ play';
  }

  private tick(now: number): void {
    if (!this.playing) return;
    const m = this.store.model;
    if (!m) return;
    const dt = Math.max(0, now - this.lastWall);
    this.lastWall = now;
    this.playT += dt * 1000 * Number(this.speed.value);
    this.store.playT = this.playT;
    if (this.store.animate) this.diagram.redrawOverlay();
    const target = lastAtOrBeforeCol(m.t, this.playT, m.count);
    if (target >= m.count - 1) {
      this.store.setCursor(m.count - 1);
      this.pause();
      return;
    }
    if (target > this.store.cursor) this.store.setCursor(target);
    this.diagram.reveal(this.playT);
    requestAnimationFrame((n) => this.tick(n));
  }

  /** Jump to the cause of the next violation (wrapping). */
  nextViolation(): void {
    const vs = this.store.model?.violations ?? [];
    if (vs.length === 0) return;
    this.violationIdx = (this.violationIdx + 1) % vs.length;
    this.store.setCursor(vs[this.violationIdx]!.cause);
  }

  private key(ev: KeyboardEvent): void {
    const t = ev.target as HTMLElement | null;
    // Keys typed into a text box or a select are theirs; checkboxes, buttons and the scrubber leave the shortcuts working.
    const inputType = t?.tagName === 'INPUT' ? (t as HTMLInputElement).type : '';
    const typing = t?.tagName === 'TEXTAREA' || t?.tagName === 'SELECT' || (t?.tagName === 'INPUT' && !['range', 'checkbox', 'radio', 'button'].includes(inputType));
    if (typing) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    // A focused button or checkbox (reached with Tab, or clicked) is pressed by Space and Enter natively.
    if ((t?.tagName === 'BUTTON' || inputType === 'checkbox' || inputType === 'radio') && (ev.key === ' ' || ev.key === 'Enter')) return;
    const s = this.store;
    switch (ev.key) {
      case ' ':
        this.toggle();
        break;
      case 'ArrowRight':
        if (ev.shiftKey) s.setCursor(s.cursor + 100);
        else s.step(1);
        break;
      case 'ArrowLeft':
        if (ev.shiftKey) s.setCursor(s.cursor - 100);
        else s.step(-1);
        break;
      case 'Home':
        s.setCursor(0);
        break;
      case 'End':
        s.setCursor(Infinity);
        break;
      case 'v':
      case 'V':
        this.nextViolation();
        break;
      case '+':
      case '=':
        this.diagram.zoomBy(1.6);
        break;
      case '-':
        this.diagram.zoomBy(1 / 1.6);
        break;
      case '0':
        if (s.model) s.setWindow(s.model.startT, s.model.endT);
        break;
      case '/':
        this.focusSearch();
        break;
      case 'c':
      case 'C': {
        const box = this.root.querySelector<HTMLInputElement>('[data-testid=causal]');
        if (box) {
          box.checked = !box.checked;
          box.dispatchEvent(new Event('change'));
        }
        break;
      }
      case '?':
        this.toggleHelp();
        break;
      default:
        return;
    }
    ev.preventDefault();
  }
}
