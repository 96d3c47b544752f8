// Fault labels (partitions, loss bursts, quiesce) are laid out in a band of
// their own between the time axis and the lanes: never over a lane's density
// strip or messages, never over each other, and when too many start close
// together the ones with no room are counted, not drawn on top.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, newPage, openTrace, startHarness, type Harness } from '../ui/browser.ts';
import { faultsTrace } from '../ui/synthetic.ts';

type Placed = { text: string; x: number; row: number; width: number };
type Api = { __faultline: { diagram: { labels: { placed: Placed[]; hidden: number }; laneAt(clientY: number): string | undefined }; store: { model: { nodes: string[] } } } };

describe.skipIf(!HAVE_CHROMIUM)('fault labels (s10)', () => {
  let h: Harness;
  const problems: string[] = [];
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
    expect(problems).toEqual([]);
  });

  it('sit in their own band above the lanes, without overlap', async () => {
    const page = await newPage(h, problems);
    await page.goto(h.base);
    await openTrace(page, 'faults.jsonl', faultsTrace());
    const box = (await page.locator('[data-testid=diagram] canvas.overlay').boundingBox())!;
    const r = await page.evaluate((top) => {
      const d = (window as unknown as Api).__faultline.diagram;
      const placed = d.labels.placed;
      // The y (client) of each label row's text, as LabelRows draws it: TOP (26) + 11 + row * 12, baseline; the glyphs above it.
      const laneUnder = placed.map((l) => [top + 26 + 11 + l.row * 12 - 9, top + 26 + 11 + l.row * 12].map((y) => d.laneAt(y) ?? null));
      // The first lane starts below the band.
      let firstLaneY = -1;
      for (let y = top; y < top + 400; y++)
        if (d.laneAt(y) !== undefined) {
          firstLaneY = y - top;
          break;
        }
      return { placed, hidden: d.labels.hidden, laneUnder, firstLaneY };
    }, box.y);
    expect(r.placed.length).toBeGreaterThan(3);
    for (const under of r.laneUnder) expect(under).toEqual([null, null]);
    const lowest = Math.max(...r.placed.map((l) => 26 + 11 + l.row * 12));
    expect(r.firstLaneY).toBeGreaterThan(lowest);
    for (const a of r.placed) for (const b of r.placed) if (a !== b && a.row === b.row) expect(a.x + a.width <= b.x || b.x + b.width <= a.x, `${a.text} overlaps ${b.text}`).toBe(true);
    await page.close();
  });
});
