// Issue 15: a page opened on a trace (`faultline view trace.jsonl`, i.e. `?trace=`) never starts the live (engine)
// worker: the scenario drop-down is filled from the list built with the viewer. Counted in Chromium by wrapping the
// Worker constructor before the page's scripts run (the live worker is created with the name `live`), and by the
// requests: no scenario module's chunk is fetched. Running a scenario then does start it (the count can fail).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, newPage, startHarness, type Harness } from './browser.ts';
import { bigTrace } from './synthetic.ts';
import { scenarioModules } from '../../ui/src/live/scenario-modules.ts';

/** Names of the Workers the page created, in order (recorded by a wrapper installed before the page's scripts). */
const workerNames = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { __workers: string[] }).__workers);

describe.skipIf(!HAVE_CHROMIUM)('a trace page starts no engine worker', () => {
  let h: Harness;
  const problems: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'faultline-noengine-'));
  const file = join(dir, 'small.jsonl');
  // A scenario module's chunk is named after its file (e.g. raft-figure8-<hash>.js).
  const scenarioChunk = new RegExp(`/assets/(${Object.keys(scenarioModules).map((k) => k.replace(/^.*\//, '').replace(/\.(ts|json)$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})-[\\w-]{8}\\.js$`);

  beforeAll(async () => {
    writeFileSync(file, bigTrace(5_000));
    h = await startHarness(file);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('loads the trace and fills the scenario list with no live worker, then starts one to run a scenario', async () => {
    const page = await newPage(h, problems);
    await page.addInitScript(() => {
      const names: string[] = [];
      (window as unknown as { __workers: string[] }).__workers = names;
      const Native = window.Worker;
      window.Worker = class extends Native {
        constructor(url: string | URL, options?: WorkerOptions) {
          super(url, options);
          names.push(options?.name ?? '');
        }
      };
    });
    const requested: string[] = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(`${h.base}?trace=${encodeURIComponent('trace/small.jsonl')}`);
    await page.waitForFunction(() => (window as unknown as { __faultline?: { loaded: string } }).__faultline?.loaded === 'small.jsonl', undefined, { timeout: 60_000, polling: 50 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario] option:not([data-loaded])').length > 0, undefined, { timeout: 30_000 });
    // Let the work after the load (hash check, bands) start any worker it would.
    await page.waitForTimeout(500);
    const options = await page.locator('[data-testid=scenario] option:not([data-loaded])').count();
    expect(options).toBe(Object.keys(scenarioModules).filter((k) => !k.replace(/^.*\//, '').startsWith('_')).length);
    const before = await workerNames(page);
    // The loader's worker only (it starts the indexer and the lane bands' workers itself): the wrapper sees workers.
    expect(before).toEqual(['']);
    expect(requested.filter((p) => scenarioChunk.test(p))).toEqual([]);
    // The loaded (synthetic) trace is not one of scenarios/: its entry is selected, and "Run live" is off, saying why
    // (it asked the live worker for a scenario file '' and showed the worker's error).
    expect(await page.locator('[data-testid=scenario]').inputValue()).toBe('');
    expect(await page.locator('[data-testid=run]').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid=run]').getAttribute('title')).toMatch(/loaded trace's scenario ".+" is not one of scenarios\/: pick a scenario/);
    await page.locator('[data-testid=run]').click({ force: true });
    await page.waitForTimeout(200);
    expect(await workerNames(page)).toEqual(['']);
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    // Pick one to run: the button is on again.
    await page.locator('[data-testid=scenario]').selectOption('default.ts');
    expect(await page.locator('[data-testid=run]').isDisabled()).toBe(false);
    await page.locator('[data-testid=run]').click();
    await page.waitForFunction(() => (window as unknown as { __workers: string[] }).__workers.includes('live'), undefined, { timeout: 30_000 });
    expect((await workerNames(page)).filter((n) => n === 'live')).toHaveLength(1);
    await page.waitForFunction(() => document.querySelector('[data-testid=live-result]') !== null, undefined, { timeout: 60_000, polling: 100 });
    expect(requested.some((p) => scenarioChunk.test(p))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
