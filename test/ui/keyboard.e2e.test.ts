// Issue 15, "Inject faults by click ... Keyboard equivalents": in a live run,
// Shift+K crashes the node of the cursor event with no mouse at all; the
// branch is drawn (the node down from the cursor's time) and Raft elects
// another leader in a later term.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, newPage, startHarness, type Harness } from './browser.ts';

type Api = { __faultline: { store: { model: { states: Map<string, { seq: number; t: number; state: { role?: string; term?: number } }[]>; t: Float64Array; intervals: { node: string; kind: string; fromT: number }[] }; setCursor(s: number): void; cursor: number } } };

describe.skipIf(!HAVE_CHROMIUM)('fault injection from the keyboard', () => {
  let h: Harness;
  const problems: string[] = [];
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
    expect(problems).toEqual([]);
  });

  it('Shift+K on the Raft leader\'s event crashes it: the branch elects a new leader', async () => {
    const page = await newPage(h, problems);
    await page.goto(`${h.base}?run=default&seed=7`);
    await page.waitForSelector('[data-testid=live-result]', { timeout: 60_000 });
    // The cursor on the first leader's first state as leader: the cursor event's node is the leader.
    const first = await page.evaluate(() => {
      const s = (window as unknown as Api).__faultline.store;
      let best: { node: string; seq: number; term: number } | undefined;
      for (const [node, list] of s.model.states) for (const x of list) if (x.state.role === 'leader' && (!best || x.seq < best.seq)) best = { node, seq: x.seq, term: x.state.term ?? 0 };
      s.setCursor(best!.seq);
      return { ...best!, t: s.model.t[best!.seq]! };
    });
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.evaluate((seq) => (window as unknown as Api).__faultline.store.setCursor(seq), first.seq);
    await page.keyboard.press('Shift+K');
    await page.waitForFunction((n) => (document.querySelector('[data-testid=trace-source]')?.textContent ?? '').startsWith(`branch: crash ${n}`), first.node, { timeout: 60_000 });
    const after = await page.evaluate(
      ({ node, t }) => {
        const s = (window as unknown as Api).__faultline.store;
        const crashed = s.model.intervals.some((iv) => iv.node === node && iv.kind === 'down' && iv.fromT === Math.round(t) + 1); // injected just after the cursor event (inject.ts faultSpec)
        const terms: number[] = [];
        for (const [n, list] of s.model.states) for (const x of list) if (x.state.role === 'leader' && x.t > t && n !== node) terms.push(x.state.term ?? 0);
        return { crashed, terms };
      },
      { node: first.node, t: first.t },
    );
    expect(after.crashed).toBe(true);
    expect(after.terms.length).toBeGreaterThan(0);
    expect(after.terms[0]).toBeGreaterThan(first.term);
    await page.close();
  });
});
