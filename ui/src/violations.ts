// The list of invariant violations, each with a button that moves the cursor
// to the event after which the checker saw it broken, and the state of the
// nodes that event touched, before and after it, side by side (what the
// causing step changed). For a violation of the client history
// (linearizability, checked at the end of the run) the event the checker
// names is only the end-of-run check: its cause is the operations of the
// minimal failing core, so "jump to cause" goes there (the history panel's
// jump: the cursor on the operation that cannot be placed, the diagram zoomed
// to the core), as the history panel's own "jump to cause" does, and no
// before/after states of an unrelated event are shown.

import type { JsonValue } from '../../sim/engine/types.ts';
import { isHistoryViolation } from '../../sim/trace/history-violation.ts';
import { stateAt } from '../../sim/trace/model.ts';
import { el, replace } from './dom.ts';
import { fmtJson, fmtTime } from './format.ts';
import type { Store } from './store.ts';

/** Top-level fields that differ between two published states. */
function changed(before: JsonValue | undefined, after: JsonValue | undefined): Set<string> {
  const obj = (v: JsonValue | undefined): Record<string, JsonValue> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {});
  const a = obj(before);
  const b = obj(after);
  const out = new Set<string>();
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.add(k);
  return out;
}

/** A state as JSON, one top-level field per line, the changed ones marked. */
function stateBlock(state: JsonValue | undefined, marks: Set<string>): HTMLElement {
  if (state === undefined) return el('pre', null, '(nothing published yet)');
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return el('pre', null, fmtJson(state));
  return el(
    'pre',
    null,
    ...Object.entries(state).map(([k, v]) => el('div', { class: marks.has(k) ? 'changed' : '' }, `${k}: ${JSON.stringify(v)}`)),
  );
}

export class Violations {
  readonly root: HTMLElement;
  private readonly body: HTMLDivElement;

  constructor(
    parent: HTMLElement,
    private readonly store: Store,
  ) {
    this.body = el('div');
    this.root = el('section', { class: 'panel violations', testid: 'violations' }, el('h3', null, 'Violations'), this.body);
    parent.appendChild(this.root);
    store.on('model', () => this.render());
  }

  /** The nodes the causing event happened on (its node, and for a message the other end), with their state before and after it. */
  private states(cause: number, i: number): HTMLElement | null {
    const m = this.store.model;
    if (!m || cause < 0 || cause >= m.count) return null;
    const lanes = [m.lane[cause] as number, m.peer[cause] as number].filter((l) => l >= 0);
    const nodes = [...new Set(lanes.map((l) => m.nodes[l] as string))].filter((n) => m.states.has(n));
    if (nodes.length === 0) return null;
    return el(
      'details',
      { testid: `violation-states-${i}`, attrs: { open: '' } },
      el('summary', null, `state of ${nodes.join(', ')} before and after event #${cause}`),
      ...nodes.map((n) => {
        const before = stateAt(m, n, cause - 1)?.state;
        const after = stateAt(m, n, cause)?.state;
        const diff = changed(before, after);
        return el(
          'div',
          { testid: `violation-state-${i}-${n}` },
          el('div', { class: 'small' }, `${n}: ${diff.size === 0 ? 'unchanged by this event' : `changed ${[...diff].join(', ')}`}`),
          el('div', { class: 'states-side' }, el('div', null, el('div', { class: 'muted small' }, 'before'), stateBlock(before, diff)), el('div', null, el('div', { class: 'muted small' }, 'after'), stateBlock(after, diff))),
        );
      }),
    );
  }

  private render(): void {
    const m = this.store.model;
    if (!m) return;
    if (m.violations.length === 0) {
      replace(this.body, el('div', { class: 'muted', testid: 'no-violations' }, 'none: every checker held'));
      return;
    }
    replace(
      this.body,
      el(
        'ul',
        null,
        ...m.violations.map((v, i) =>
          el(
            'li',
            { testid: `violation-${i}` },
            el('strong', { class: 'bad' }, v.invariant),
            ` at ${fmtTime(v.t)}: `,
            el('span', { class: 'vmsg' }, v.message),
            ' ',
            isHistoryViolation(v.invariant) && m.operations.length > 0
              ? el(
                  'button',
                  {
                    testid: `jump-violation-${i}`,
                    title: 'move the cursor to the operation that cannot be linearized and zoom the diagram to the minimal failing core (the history panel shows it)',
                    onclick: () => (this.store.focusHistory ? this.store.focusHistory() : this.store.setCursor(v.cause)),
                  },
                  'jump to cause (the failing operations)',
                )
              : el('button', { testid: `jump-violation-${i}`, title: `move the cursor to event #${v.cause}, after which the violation was detected`, onclick: () => this.store.setCursor(v.cause) }, `jump to cause #${v.cause}`),
            ' ',
            el('button', { class: 'link', onclick: () => this.store.setCursor(v.seq) }, `violation #${v.seq}`),
            isHistoryViolation(v.invariant) && m.operations.length > 0 ? null : this.states(v.cause, i),
          ),
        ),
      ),
    );
  }
}
