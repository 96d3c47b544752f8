// Issue 15, "the diagram's width jumps as the cursor moves": the side column
// (panels: Raft log grid, states) must not take width from the diagram as its
// content grows. Raft-leader-crash in a 1500 px window, the cursor stepped from
// #0 to End: the diagram canvas keeps one width, and the Raft log grid scrolls
// inside its panel instead of overflowing it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import leaderCrash from '../../scenarios/raft-leader-crash.ts';
import { HAVE_CHROMIUM, openTrace, RESULTS, startHarness, type Harness } from '../ui/browser.ts';

type Api = { __faultline: { store: { model: { count: number }; setCursor(s: number): void; cursor: number } } };

function traceText(): string {
  const sink = new MemorySink();
  runPrepared(prepareRun(parseScenario(leaderCrash)), { trace: sink });
  return sink.text();
}

describe.skipIf(!HAVE_CHROMIUM)('layout: the diagram width does not depend on the cursor', () => {
  let h: Harness;
  const problems: string[] = [];
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
    expect(problems).toEqual([]);
  });

  it('raft-leader-crash at 1500 px: one canvas width from #0 to End; the log grid stays inside its panel', async () => {
    const page = await h.browser.newPage({ viewport: { width: 1500, height: 950 } });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(h.base);
    await openTrace(page, 'raft-leader-crash.jsonl', traceText());
    const count = await page.evaluate(() => (window as unknown as Api).__faultline.store.model.count);
    const widths = new Set<number>();
    const overflow: number[] = [];
    for (let i = 0; i <= 10; i++) {
      const seq = Math.round(((count - 1) * i) / 10);
      await page.evaluate((s) => (window as unknown as Api).__faultline.store.setCursor(s), seq);
      // Wait until the panels show this cursor (two frames: the panels redraw on the next frame).
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const m = await page.evaluate(() => {
        const canvas = document.querySelector('[data-testid=diagram] canvas.overlay') as HTMLCanvasElement;
        const panel = document.querySelector('[data-testid=panel-raft]') as HTMLElement | null;
        const right = document.getElementById('right') as HTMLElement;
        const pr = panel?.getBoundingClientRect();
        const rr = right.getBoundingClientRect();
        // How far any panel's box reaches past the side column, and the column past the window.
        let past = Math.max(0, rr.right - document.documentElement.clientWidth);
        if (pr) past = Math.max(past, pr.right - rr.right);
        return { width: Math.round(canvas.getBoundingClientRect().width), past };
      });
      widths.add(m.width);
      overflow.push(m.past);
    }
    await page.screenshot({ path: `${RESULTS}/layout-s10-end.png` });
    expect([...widths]).toHaveLength(1);
    expect([...widths][0]).toBeGreaterThan(700);
    expect(Math.max(...overflow)).toBeLessThanOrEqual(1);
    await page.close();
  });
});
