// Step mode (issue 12's viewer step): from the cursor of a run, list what may
// happen next (deliver or drop a message in flight, fire a timer, crash or
// restart a node: the stepping engine's choices), take the one clicked, and
// show the branch; "run on" lets the run continue by itself from there. Each
// branch is a scenario with a `schedule` ("Save as scenario" downloads it;
// `faultline run` replays it to the same hash). The work happens in the live
// worker (ui/src/live/drive.ts); this is the panel.

import type { TraceEvent } from '../../sim/engine/types.ts';
import { el, replace } from './dom.ts';
import type { DriveAction, StepChoice } from './live/drive.ts';
import { ScheduleGap, scheduleOf } from './live/schedule.ts';
import type { Store } from './store.ts';

export interface DriveCall {
  prefix: string[];
  action: DriveAction;
  runOn: boolean;
  label: string;
  /** True time for the cursor after the branch loads; -1 for its last event. */
  at: number;
}

/** The schedule of the loaded trace up to the cursor, or a sentence saying why there is none. */
export function prefixAtCursor(store: Store): string[] | string {
  const m = store.model;
  if (!m) return 'no trace loaded';
  if (store.info?.loading) return 'the trace is still loading';
  if (store.info?.remote) return 'step mode needs a trace small enough to be kept in the page (at most 50,000 events)';
  const events: TraceEvent[] = [];
  for (let s = 0; s <= store.cursor; s++) events.push(store.event(s) as TraceEvent);
  try {
    return scheduleOf(events, store.cursor);
  } catch (err) {
    if (err instanceof ScheduleGap) return err.message;
    throw err;
  }
}

export class Stepper {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private schedule: string[] | undefined;
  private choices: StepChoice[] = [];

  constructor(
    private readonly store: Store,
    private readonly run: (c: DriveCall) => void,
  ) {
    this.body = el('div');
    this.root = el('section', { class: 'panel', testid: 'panel-step' }, el('h3', null, 'Step mode'), this.body);
    this.render(undefined);
  }

  /** Start (or restart) step mode at the cursor of the loaded trace. */
  start(): void {
    const prefix = prefixAtCursor(this.store);
    if (typeof prefix === 'string') {
      this.render(prefix);
      return;
    }
    this.run({ prefix, action: { kind: 'none' }, runOn: false, label: `step mode from #${this.store.cursor}`, at: -1 });
  }

  /** A branch loaded: its schedule and the choices at its end (undefined for a trace that is not a step branch). */
  loaded(step: { choices: StepChoice[]; schedule: string[]; halted: boolean } | undefined): void {
    this.schedule = step?.schedule;
    this.choices = step?.choices ?? [];
    this.render(step?.halted ? 'a violation stopped this run: no more choices' : undefined);
  }

  private take(c: StepChoice): void {
    if (!this.schedule) return;
    this.run({ prefix: this.schedule, action: { kind: 'take', label: c.label }, runOn: false, label: `step ${this.schedule.length + 1}: ${c.label}`, at: -1 });
  }

  private runOn(): void {
    if (!this.schedule) return;
    this.run({ prefix: this.schedule, action: { kind: 'none' }, runOn: true, label: `run on after ${this.schedule.length} steps`, at: -1 });
  }

  private render(note: string | undefined): void {
    const startBtn = el('button', { testid: 'step-start', title: 'list what may happen next at the cursor event, and take it one choice at a time', onclick: () => this.start() }, 'Step from the cursor');
    if (!this.schedule) {
      replace(this.body, startBtn, note ? el('div', { class: 'muted small', testid: 'step-note' }, note) : el('div', { class: 'muted small' }, 'deliver or drop each message, fire timers, crash and restart nodes by hand'));
      return;
    }
    const kinds: [StepChoice['kind'][], string][] = [
      [['deliver', 'drop'], 'messages in flight'],
      [['timer'], 'timers'],
      [['crash', 'restart'], 'nodes'],
    ];
    const groups = kinds.map(([ks, title]) => {
      const list = this.choices.map((c, i) => [c, i] as const).filter(([c]) => ks.includes(c.kind));
      if (list.length === 0) return null;
      return el(
        'div',
        { class: 'step-group' },
        el('div', { class: 'muted small' }, title),
        ...list.map(([c, i]) => el('button', { class: `step-choice k-${c.kind}`, testid: `choice-${i}`, attrs: { 'data-label': c.label }, onclick: () => this.take(c) }, c.label)),
      );
    });
    replace(
      this.body,
      el('div', { class: 'small', testid: 'step-count' }, `${this.schedule.length} steps taken; ${this.choices.length} choices next:`),
      note ? el('div', { class: 'muted small', testid: 'step-note' }, note) : null,
      ...groups,
      el('div', null, el('button', { testid: 'step-run-on', title: 'let the run continue by itself (earliest event first) until the scenario ends', onclick: () => this.runOn() }, 'Run on'), ' ', startBtn),
    );
  }
}
