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
