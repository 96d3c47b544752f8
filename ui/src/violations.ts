// The list of invariant violations, each with a button that moves the cursor
// to the event after which the checker saw it broken.

import { el, replace } from './dom.ts';
import { fmtTime } from './format.ts';
import type { Store } from './store.ts';

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
            el('button', { testid: `jump-violation-${i}`, title: `move the cursor to event #${v.cause}, after which the violation was detected`, onclick: () => this.store.setCursor(v.cause) }, `jump to cause #${v.cause}`),
            ' ',
            el('button', { class: 'link', onclick: () => this.store.setCursor(v.seq) }, `violation #${v.seq}`),
          ),
        ),
      ),
    );
  }
}
