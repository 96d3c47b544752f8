// User Timing spans around the page's pieces of work while a trace loads (`fl:<name>` measures): the viewer
// bench (sim/bench/viewer.ts) reads them with the Long Tasks API's entries to say which work blocked the main
// thread, and they show by name in a browser's performance panel. A handful per load: no cost worth counting.

/** Run `fn`, recorded as the measure `fl:<name>` (start and duration on the page's clock, ms). */
export function timed<T>(name: string, fn: () => T): T {
  const start = performance.now();
  try {
    return fn();
  } finally {
    performance.measure(`fl:${name}`, { start, end: performance.now() });
  }
}

/**
 * Let the page handle input and paint before going on: resolves in a new task (`scheduler.yield()` where the
 * browser has it, which keeps this work ahead of other queued tasks; else a zero timeout). Splits the page's work
 * on a big trace into tasks under a frame's worth each (issue 15: the main thread never blocks for long).
 */
export function yieldToPage(): Promise<void> {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return s?.yield ? s.yield() : new Promise((ok) => setTimeout(ok, 0));
}

/** Work per slice of `sliced` (ms): half a frame, so that input and painting fit between slices. */
export const SLICE_MS = 8;

/**
 * Run `body(from, to)` over [0, n) in slices of at most about `SLICE_MS` each, yielding to the page between them
 * (`yieldToPage`); stops early, resolving false, when `stale()` says the work is no longer wanted (a newer model or
 * drawing), checked before each slice. Resolves true once every index is done. The slice size adapts: it starts at
 * `first` indices and grows or shrinks with the time the last slice took. Issue 15: a pass over the messages of a
 * 1M-event trace takes 20-300 ms on a loaded machine, one task; this makes it many tasks under a frame.
 */
export async function sliced(n: number, body: (from: number, to: number) => void, stale: () => boolean, first = 16_384): Promise<boolean> {
  let size = Math.max(1, first);
  for (let from = 0; from < n; ) {
    if (stale()) return false;
    const start = performance.now();
    let ranUntil = from;
    // One task: slices until the budget is spent.
    while (ranUntil < n && performance.now() - start < SLICE_MS) {
      const to = Math.min(n, ranUntil + size);
      const t = performance.now();
      body(ranUntil, to);
      const took = performance.now() - t;
      ranUntil = to;
      if (took < SLICE_MS / 4) size *= 2;
      else if (took > SLICE_MS / 2) size = Math.max(1024, size >> 1);
    }
    from = ranUntil;
    if (from < n) await yieldToPage();
  }
  return !stale();
}
