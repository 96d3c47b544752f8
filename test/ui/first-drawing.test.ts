// When the page first draws a trace still loading (ui/src/load/first-drawing.ts): once the events loaded cover a
// share of the run's time (with a minimum count), or are many, never after a chunk that holds a handful.

import { describe, expect, it } from 'vitest';
import { FIRST_DRAWING, firstDrawingReady, timeShare } from '../../ui/src/load/first-drawing.ts';

const rule = FIRST_DRAWING;

describe('firstDrawingReady', () => {
  it('waits for the share of the run’s time and the minimum count, or for enough events', () => {
    const runEnd = 1_000_000;
    const at = (events: number, last: number, total?: number, end: number | undefined = runEnd) => firstDrawingReady({ events, span: [0, last], runEnd: end, bytes: 0, total });
    // One event, or a few, even late in the run: not yet.
    expect(at(1, runEnd / 2)).toBe(false);
    expect(at(rule.minEvents - 1, runEnd / 2)).toBe(false);
    // Enough events but less than the share of the time: not yet; at the share: drawn.
    expect(at(rule.minEvents, rule.share * runEnd - 1)).toBe(false);
    expect(at(rule.minEvents, rule.share * runEnd)).toBe(true);
    // Many events, whatever time they cover.
    expect(at(rule.enoughEvents, 1)).toBe(true);
    expect(at(rule.enoughEvents - 1, 1)).toBe(false);
    // Nothing parsed yet.
    expect(firstDrawingReady({ events: 0, span: undefined, runEnd, bytes: 10, total: 100 })).toBe(false);
  });

  it('counts the share from the first event, not from time 0', () => {
    const ready = (last: number) => firstDrawingReady({ events: rule.minEvents, span: [900_000, last], runEnd: 1_000_000, bytes: 0, total: undefined });
    expect(ready(900_000 + rule.share * 100_000 - 1)).toBe(false);
    expect(ready(900_000 + rule.share * 100_000)).toBe(true);
  });

  it('uses the share of the bytes when the run’s end is not known, else only the count', () => {
    const l = { events: rule.minEvents, span: [0, 10] as [number, number], runEnd: undefined };
    expect(firstDrawingReady({ ...l, bytes: rule.share * 1000 - 1, total: 1000 })).toBe(false);
    expect(firstDrawingReady({ ...l, bytes: rule.share * 1000, total: 1000 })).toBe(true);
    expect(firstDrawingReady({ ...l, bytes: 999, total: undefined })).toBe(false);
    expect(firstDrawingReady({ ...l, events: rule.enoughEvents, bytes: 999, total: undefined })).toBe(true);
  });

  it('timeShare: the loaded span over the run from its first event', () => {
    expect(timeShare([0, 50], 100)).toBe(0.5);
    expect(timeShare([50, 75], 100)).toBe(0.5);
    expect(timeShare([0, 50], undefined)).toBeUndefined();
    expect(timeShare(undefined, 100)).toBeUndefined();
    expect(timeShare([0, 200], 100)).toBe(1);
  });
});
