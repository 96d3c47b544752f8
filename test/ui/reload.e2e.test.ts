// A page opened before `faultline view` rebuilt the viewer asks for worker scripts that are gone (Vite names built
// files by content hash). It reloads itself, keeping the URL (the trace), when a worker's script cannot be fetched
// and the page served now loads another main script than its own; and only then. Simulated in Chromium by routing:
// the loader worker's script fails once, and the page served after the first load names its main script otherwise.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, newPage, startHarness, type Harness } from './browser.ts';
import { bigTrace } from './synthetic.ts';

const loaded = (page: Page, name: string): Promise<unknown> =>
  page.waitForFunction((n) => (window as unknown as { __faultline?: { loaded: string } }).__faultline?.loaded === n, name, { timeout: 120_000, polling: 50 });

describe.skipIf(!HAVE_CHROMIUM)('viewer reload after a rebuild', () => {
  let h: Harness;
  const problems: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'faultline-reload-'));
  const file = join(dir, 'big.jsonl');

  beforeAll(async () => {
    writeFileSync(file, bigTrace(60_000));
    h = await startHarness(file);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Open the trace with the loader worker's script failing once; `rebuilt`: the page served afterwards names another main script. */
  async function openWithMissingWorker(rebuilt: boolean): Promise<Page> {
    const page = await newPage(h, problems);
    let workerFetches = 0;
    let pages = 0;
    await page.route(
      (url) => url.pathname === '/',
      async (route) => {
        if (pages++ === 0 || !rebuilt) return route.continue();
        const res = await route.fetch();
        const html = (await res.text()).replace(/(<script[^>]*type="module"[^>]*src="[^"?]+)"/, '$1?rebuilt=1"');
        return route.fulfill({ response: res, body: html });
      },
    );
    await page.context().route('**/assets/worker-*.js', (route) => (workerFetches++ === 0 ? route.fulfill({ status: 404, body: 'gone' }) : route.continue()));
    await page.goto(`${h.base}?trace=${encodeURIComponent('trace/big.jsonl')}`);
    return page;
  }

  it('reloads once and shows the trace when the viewer was rebuilt', async () => {
    const page = await openWithMissingWorker(true);
    await loaded(page, 'big.jsonl');
    const state = await page.evaluate(() => ({ reloaded: sessionStorage.getItem('faultline-reloaded') !== null, url: location.search, count: (window as unknown as { __faultline: { store: { model: { count: number } } } }).__faultline.store.model.count }));
    expect(state.reloaded).toBe(true);
    expect(state.url).toContain('trace=');
    expect(state.count).toBe(60_000);
    await page.close();
  });

  it('shows the failure, without reloading, when the page served is its own (not a rebuild)', async () => {
    const page = await openWithMissingWorker(false);
    await page.waitForSelector('[data-testid=error]', { timeout: 60_000 });
    const text = await page.textContent('[data-testid=error]');
    expect(text).toContain('The trace loader failed');
    expect(await page.evaluate(() => sessionStorage.getItem('faultline-reloaded'))).toBe(null);
    await page.close();
  });
});
