// Issue 15's small defects found by a newcomer: Escape closes the `?` help;
// a #e=N set after load moves the cursor (hashchange); a fault key that
// cannot act says why in the status line, and heal (which needs no node)
// acts on a cluster-wide event; after a branch the cursor is on the injected
// fault; while a branch runs, the previous info line's Save button is off.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, newPage, RESULTS, startHarness, type Harness } from '../ui/browser.ts';

type Store = { model: { count: number; t: Float64Array; lane: Int16Array; kind: Uint8Array }; setCursor(s: number): void; cursor: number; event(s: number): { type: string; node?: string } | undefined };
type Api = { __faultline: { store: Store; loaded: string } };

describe.skipIf(!HAVE_CHROMIUM)('keys and small defects (s10)', () => {
  let h: Harness;
  const problems: string[] = [];
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
    expect(problems).toEqual([]);
  });

  it('Escape closes the help; #e=N moves the cursor; keys that cannot act say why; heal acts anyway; the branch cursor is on the fault', async () => {
    const page = await newPage(h, problems);
    await page.goto(`${h.base}?run=default&seed=7`);
    await page.waitForSelector('[data-testid=live-result]', { timeout: 60_000 });
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    // Help: ? opens it, Escape closes it.
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid=help]:not(.hidden)');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=help].hidden', { state: 'attached' });
    // hashchange: the cursor follows a fragment set after load.
    await page.evaluate(() => {
      location.hash = '#e=42';
    });
    await page.waitForFunction(() => (window as unknown as Api).__faultline.store.cursor === 42);
    // A cluster-wide event (no lane): Shift+K says why in the status line; Shift+H heals anyway.
    const star = await page.evaluate(() => {
      const s = (window as unknown as Api).__faultline.store;
      for (let i = s.model.count - 1; i > 0; i--) if (s.model.lane[i]! < 0 && s.model.t[i]! < s.model.t[s.model.count - 1]! - 1000) return i;
      return -1;
    });
    expect(star).toBeGreaterThan(0);
    await page.evaluate((s) => (window as unknown as Api).__faultline.store.setCursor(s), star);
    await page.keyboard.press('Shift+K');
    await page.waitForFunction(() => /acts on the node of the cursor event/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    const t = await page.evaluate((s) => (window as unknown as Api).__faultline.store.model.t[s]!, star);
    await page.keyboard.press('Shift+H');
    // While the branch runs the old info line's buttons are off (checked if the run is still going when we look).
    const during = await page.evaluate(() => {
      const info = document.querySelector('[data-testid=info]') as HTMLElement;
      return { stale: info.classList.contains('stale'), disabled: [...info.querySelectorAll('button')].map((b) => b.disabled) };
    });
    if (during.stale) expect(during.disabled.every((d) => d)).toBe(true);
    await page.waitForFunction(() => (document.querySelector('[data-testid=trace-source]')?.textContent ?? '').startsWith('branch: heal'), undefined, { timeout: 60_000 });
    await page.waitForSelector('[data-testid=save-scenario]');
    // The cursor is on the injected heal, just after the old cursor's time.
    const at = await page.evaluate(() => {
      const s = (window as unknown as Api).__faultline.store;
      return { cursor: s.cursor, t: s.model.t[s.cursor]!, type: s.event(s.cursor)?.type };
    });
    expect(at.type).toBe('heal');
    expect(at.t).toBe(Math.round(t) + 1);
    expect(await page.locator('[data-testid=save-scenario]').isEnabled()).toBe(true);
    await page.screenshot({ path: `${RESULTS}/keys-s10.png` });
    await page.close();
  });
});
