// When the page first draws a trace that is still loading (the loader worker's first `partial` message): not
// after the first chunk, whatever it holds (that drawing could show one event), but once what is loaded is worth
// looking at. No DOM or worker API: tested in Node (test/ui/first-drawing.test.ts).

/**
 * The rule: the loaded events cover at least `share` of the run's time (from the first event to the run's end,
 * read first from the trace's end line) and number at least `minEvents`; or they number `enoughEvents`, whatever
 * time they cover. When the run's end is not known (a server that ignores Range, a truncated trace), the share is
 * of the file's bytes, if its size is known, else only `enoughEvents` counts. A trace that loads whole before
 * any of these is drawn once, complete.
 */
export const FIRST_DRAWING = { share: 0.05, minEvents: 2_000, enoughEvents: 50_000 } as const;

export interface LoadedSoFar {
  /** Events parsed so far. */
  events: number;
  /** Times of the first and the last event parsed (µs). */
  span: [number, number] | undefined;
  /** The run's end (µs), if known. */
  runEnd: number | undefined;
  /** Bytes read so far, and the file's size if known. */
  bytes: number;
  total: number | undefined;
}

/** Whether what is loaded may be drawn first (see FIRST_DRAWING). */
export function firstDrawingReady(l: LoadedSoFar, rule: { share: number; minEvents: number; enoughEvents: number } = FIRST_DRAWING): boolean {
  if (l.events >= rule.enoughEvents) return true;
  if (l.events < rule.minEvents || !l.span) return false;
  const [first, last] = l.span;
  if (l.runEnd !== undefined && l.runEnd > first) return last - first >= rule.share * (l.runEnd - first);
  if (l.total !== undefined && l.total > 0) return l.bytes >= rule.share * l.total;
  return false;
}

/** The share of the run's time that `span` covers (0 to 1), or undefined when the run's end is not known. */
export function timeShare(span: [number, number] | undefined, runEnd: number | undefined): number | undefined {
  if (!span || runEnd === undefined) return undefined;
  const [first, last] = span;
  return runEnd > first ? Math.min(1, (last - first) / (runEnd - first)) : 1;
}
