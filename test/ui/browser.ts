// Shared set-up for the viewer's browser tests: Debian's Chromium driven by
// playwright-core, the built viewer served by `faultline view`'s own server.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureViewerBuilt, REPO_ROOT, serveViewer, type ViewServer } from '../../sim/cli/commands/view.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const RESULTS = join(REPO_ROOT, 'test-results');

/** Flags for a sandboxed CI machine with no network (see the env notes on browser testing). Playwright gives each launch a fresh profile directory. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Harness {
  browser: Browser;
  server: ViewServer;
  base: string;
  close(): Promise<void>;
}

export async function startHarness(trace?: string): Promise<Harness> {
  mkdirSync(RESULTS, { recursive: true });
  await ensureViewerBuilt();
  const server = await serveViewer({ ...(trace ? { trace } : {}), port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const base = server.url.replace(/\?.*$/, '');
  return {
    browser,
    server,
    base,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** A page that fails the test on any dialog (alert from injected script) or page error. */
export async function newPage(h: Harness, problems: string[]): Promise<Page> {
  const page = await h.browser.newPage({ viewport: { width: 1400, height: 950 }, acceptDownloads: true });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return page;
}

/** Load a trace through the file picker and wait until it is shown. */
export async function openTrace(page: Page, name: string, text: string): Promise<void> {
  await page.setInputFiles('[data-testid=file]', { name, mimeType: 'application/x-ndjson', buffer: Buffer.from(text) });
  await page.waitForFunction((n) => (window as unknown as { __faultline?: { loaded: string } }).__faultline?.loaded === n, name);
}
