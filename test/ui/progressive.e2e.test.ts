// Progressive first drawing in a real browser (Debian's Chromium via playwright-core): a large trace is drawn
// from its first chunks, on the whole run's time axis (read from the trace's end line first), and fills in as it
// loads; once loaded, the page holds and draws what a load without the partial drawings gives.

import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePingpongTrace } from '../../sim/bench/viewer.ts';
import { buildColumns } from '../../sim/trace/columns.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { FIRST_DRAWING } from '../../ui/src/load/first-drawing.ts';
import { HAVE_CHROMIUM, newPage, startHarness, type Harness } from './browser.ts';

interface Api {
  __faultline?: {
    loaded?: string;
    firstDrawing?: { ms: number; events: number; axis: [number, number]; runEndKnown: boolean; loadedT: number; share?: number };
    store: { model: { count: number; startT: number; endT: number; loadedT?: number; t: Float64Array; kind: Uint8Array; lane: Int16Array; msgCount: number; mEndSeq: Int32Array }; info: unknown; load(m: unknown, i: unknown): void; window: [number, number] };
    diagram: { draw(): void; axisDomain: [number, number]; aggregated: boolean };
  };
  __seen?: { loadingDraws: number; maxLoaded: number; axisEnds: number[]; loadingText: string };
}

/** A sum over a column, to compare the page's columns with Node's without sending them whole. */
const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = (s * 31 + (a[i] as number) * (i + 1)) % 1_000_000_007;
  return s;
};

describe.skipIf(!HAVE_CHROMIUM)('progressive first drawing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-progressive-'));
  const file = join(dir, 'progressive.jsonl');
  let h: Harness;
  const problems: string[] = [];

  beforeAll(async () => {
    // About 400,000 events (35 MB): many chunks of the stream, so several drawings come before the end.
    writePingpongTrace(file, 400_000);
    h = await startHarness(file);
  }, 300_000);
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
    expect(problems).toEqual([]);
  });

  it('draws events before the load finishes, on the whole run’s axis, and ends with the same drawing as a complete load', async () => {
    const raw = readFileSync(file, 'utf8');
    const cols = buildColumns(parseTrace(raw));
    const runEnd = (JSON.parse(raw.trimEnd().slice(raw.trimEnd().lastIndexOf('\n') + 1)) as { t: number }).t;
    const page = await newPage(h, problems);
    try {
      // Watch every drawing while loading (the page sets __faultline at its first drawing).
      await page.addInitScript(() => {
        const w = window as unknown as Api;
        w.__seen = { loadingDraws: 0, maxLoaded: 0, axisEnds: [], loadingText: '' };
        const watch = (): void => {
          const f = w.__faultline;
          if (f && f.loaded === undefined && f.store.model) {
            w.__seen!.loadingDraws++;
            w.__seen!.maxLoaded = Math.max(w.__seen!.maxLoaded, f.store.model.count);
            w.__seen!.axisEnds.push(f.diagram.axisDomain[1]);
            w.__seen!.loadingText = document.querySelector('[data-testid=trace-loading]')?.textContent ?? w.__seen!.loadingText;
          }
          if (f?.loaded === undefined) requestAnimationFrame(watch);
        };
        requestAnimationFrame(watch);
      });
      await page.goto(h.server.url);
      await page.waitForFunction(() => (window as unknown as Api).__faultline?.firstDrawing !== undefined, undefined, { timeout: 120_000, polling: 20 });
      await page.waitForFunction((n) => (window as unknown as Api).__faultline?.loaded === n, 'progressive.jsonl', { timeout: 300_000, polling: 100 });
      const got = await page.evaluate(() => {
        const w = window as unknown as Api;
        const f = w.__faultline!;
        return { first: f.firstDrawing!, seen: w.__seen!, count: f.store.model.count, endT: f.store.model.endT, loadedT: f.store.model.loadedT, axis: f.diagram.axisDomain };
      });
      // Drawn before the load finished: fewer events than the trace's, and not a near-empty drawing: at least the
      // first-drawing rule's minimum, covering its share of the run's time (or its "enough" count of events).
      expect(got.first.events).toBeLessThan(cols.count);
      expect(got.first.events).toBeGreaterThanOrEqual(FIRST_DRAWING.minEvents);
      const covered = (got.first.loadedT - cols.startT) / (runEnd - cols.startT);
      expect(covered >= FIRST_DRAWING.share || got.first.events >= FIRST_DRAWING.enoughEvents).toBe(true);
      expect(got.first.share).toBeCloseTo(covered, 9);
      expect(got.seen.loadingDraws).toBeGreaterThan(0);
      expect(got.seen.loadingText).toMatch(/^loading: \d+ events so far/);
      // The axis was the whole run's from the first drawing, and never moved.
      expect(got.first.runEndKnown).toBe(true);
      expect(got.first.axis[1]).toBe(runEnd);
      expect(got.first.loadedT).toBeLessThan(runEnd);
      expect(new Set(got.seen.axisEnds)).toEqual(new Set([runEnd]));
      expect(got.axis).toEqual([cols.startT, cols.endT]);
      // Once loaded: every event, the same columns as Node's, no loading mark.
      expect(got.count).toBe(cols.count);
      expect(got.endT).toBe(cols.endT);
      expect(got.loadedT).toBeUndefined();
      const sums = await page.evaluate((src) => {
        const f = (window as unknown as Api).__faultline!;
        const s = new Function(`return ${src}`)() as (a: ArrayLike<number>) => number;
        const m = f.store.model;
        return [s(m.t), s(m.kind), s(m.lane), m.msgCount, s(m.mEndSeq)];
      }, sum.toString());
      expect(sums).toEqual([sum(cols.t), sum(cols.kind), sum(cols.lane), cols.msgCount, sum(cols.mEndSeq)]);
      // The final drawing equals a load of the complete model at once (what the page did before drawing while loading).
      const same = await page.evaluate(() => {
        const f = (window as unknown as Api).__faultline!;
        const canvas = document.querySelector('[data-testid=diagram] canvas') as HTMLCanvasElement;
        f.diagram.draw();
        const progressive = canvas.toDataURL();
        f.store.load(f.store.model, f.store.info);
        f.diagram.draw();
        return progressive === canvas.toDataURL();
      });
      expect(same).toBe(true);
    } finally {
      await page.close();
    }
  }, 600_000);

  it('grows the axis with what is loaded when the server ignores byte ranges, and ends on the run’s end', async () => {
    const raw = readFileSync(file, 'utf8');
    const runEnd = (JSON.parse(raw.trimEnd().slice(raw.trimEnd().lastIndexOf('\n') + 1)) as { t: number }).t;
    // A server that answers the trace with the whole file (200), Range or not, and passes the viewer's files on
    // from `faultline view`'s server (the page's policy allows its own origin only).
    const plain = createServer((req, res) => {
      const path = (req.url ?? '/').replace(/[?#].*$/, '');
      if (path === '/plain.jsonl') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': String(statSync(file).size) });
        createReadStream(file).pipe(res);
        return;
      }
      void fetch(new URL(path, h.base)).then(async (r) => {
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' });
        res.end(Buffer.from(await r.arrayBuffer()));
      });
    });
    await new Promise<void>((ok) => plain.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
    const page = await newPage(h, problems);
    try {
      await page.goto(`${base}?trace=plain.jsonl`);
      await page.waitForFunction(() => (window as unknown as Api).__faultline?.firstDrawing !== undefined, undefined, { timeout: 120_000, polling: 20 });
      await page.waitForFunction(() => (window as unknown as Api).__faultline?.loaded === 'plain.jsonl', undefined, { timeout: 300_000, polling: 100 });
      const got = await page.evaluate(() => {
        const f = (window as unknown as Api).__faultline!;
        return { first: f.firstDrawing!, axis: f.diagram.axisDomain };
      });
      // The end not known: the first drawing waited for its share of the file's bytes.
      expect(got.first.events).toBeGreaterThanOrEqual(FIRST_DRAWING.minEvents);
      expect(got.first.runEndKnown).toBe(false);
      expect(got.first.axis[1]).toBeLessThan(runEnd);
      expect(got.axis[1]).toBe(runEnd);
    } finally {
      await page.close();
      await new Promise((ok) => plain.close(ok));
    }
  }, 600_000);
});
