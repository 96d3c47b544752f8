// The thread CPU time of the viewer page's main-thread tasks, from a Chrome trace (CDP `Tracing`, Chrome's
// trace event format): each `RunTask` event of the renderer's main thread (`CrRendererMain`) is one task, its
// `tdur` the thread CPU time it took (µs), its `dur` the wall time. On a shared machine (2 cores, load 6-12) a
// task's wall time is mostly the time the thread waited for a core; its thread CPU time is the page's own work,
// about the same at any load. `faultline bench viewer` reports these figures beside the Long Tasks API's wall ones.

/** One event of Chrome's trace event format (the fields used here). */
export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** The trace categories that give the renderer's `RunTask` events with their thread CPU time, and the work inside. */
export const TASK_CPU_CATEGORIES = 'devtools.timeline,v8,disabled-by-default-devtools.timeline';

/** One long task: thread CPU and wall time (ms), start (ms from the first task) and the work directly inside it. */
export interface CpuTask {
  cpuMs: number;
  wallMs: number;
  atMs: number;
  /** The task's direct sub-events by thread CPU, largest first (name, ms), at most three; "other": the task's CPU outside them. */
  inside: [string, number][];
}

export interface TaskCpuFigures {
  /** RunTask events of the page's main thread, and how many of them carried a thread CPU time. */
  tasks: number;
  tasksWithCpu: number;
  longestCpuMs: number;
  /** Tasks over 50 ms of thread CPU, and over a frame (16.7 ms). */
  over50: number;
  overFrame: number;
  /** The longest few by thread CPU, longest first. */
  longest: CpuTask[];
}

export const LONG_TASK_MS = 50;
export const FRAME_MS = 1000 / 60;

/**
 * The renderer main thread of the trace: of the threads named `CrRendererMain` (a navigation may swap processes),
 * the one whose tasks took the most thread CPU. Undefined when the trace has none.
 */
function mainThread(events: readonly TraceEvent[]): { pid: number; tid: number } | undefined {
  const named = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  let best: { pid: number; tid: number } | undefined;
  let bestCpu = -1;
  for (const t of named) {
    let cpu = 0;
    for (const e of events) if (e.pid === t.pid && e.tid === t.tid && e.ph === 'X' && e.name === 'RunTask') cpu += e.tdur ?? 0;
    if (cpu > bestCpu) {
      bestCpu = cpu;
      best = { pid: t.pid, tid: t.tid };
    }
  }
  return best;
}

/** Per-task thread CPU figures of the page's main thread in `events` (`keep` long tasks listed). */
export function taskCpuFigures(events: readonly TraceEvent[], keep = 5): TaskCpuFigures {
  const thread = mainThread(events);
  const mine = thread ? events.filter((e) => e.pid === thread.pid && e.tid === thread.tid && e.ph === 'X' && e.dur !== undefined) : [];
  mine.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const runs = mine.filter((e) => e.name === 'RunTask');
  const withCpu = runs.filter((e) => e.tdur !== undefined);
  const ms = (e: TraceEvent): number => e.tdur! / 1000;
  const t0 = runs[0]?.ts ?? 0;
  const top = [...withCpu].sort((a, b) => b.tdur! - a.tdur!).slice(0, keep);
  const longest = top.map((task): CpuTask => {
    // Direct sub-events: inside the task and not inside an earlier sub-event (sorted by start, longest first).
    const by = new Map<string, number>();
    let coveredUntil = task.ts;
    for (const e of mine) {
      if (e.ts < task.ts || e === task) continue;
      if (e.ts >= task.ts + task.dur!) break;
      if (e.ts + e.dur! > task.ts + task.dur! || e.ts < coveredUntil) continue;
      coveredUntil = e.ts + e.dur!;
      if (e.tdur !== undefined) by.set(e.name, (by.get(e.name) ?? 0) + e.tdur / 1000);
    }
    // The task's CPU outside any traced sub-event (e.g. a script continuation after `scheduler.yield()`): "other".
    let traced = 0;
    for (const v of by.values()) traced += v;
    if (ms(task) - traced >= 1) by.set('other', ms(task) - traced);
    const inside = [...by].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n, v]): [string, number] => [n, Math.round(v)]);
    return { cpuMs: ms(task), wallMs: task.dur! / 1000, atMs: (task.ts - t0) / 1000, inside };
  });
  return {
    tasks: runs.length,
    tasksWithCpu: withCpu.length,
    longestCpuMs: top.length > 0 ? ms(top[0]!) : 0,
    over50: withCpu.filter((e) => ms(e) > LONG_TASK_MS).length,
    overFrame: withCpu.filter((e) => ms(e) > FRAME_MS).length,
    longest,
  };
}

/** "<cpu>/<wall>ms@<s>s[<name> <ms>,…]" for each task, separated by spaces. */
export function formatCpuTasks(tasks: readonly CpuTask[]): string {
  return tasks.map((t) => `${Math.round(t.cpuMs)}/${Math.round(t.wallMs)}ms@${(t.atMs / 1000).toFixed(1)}s[${t.inside.map(([n, v]) => `${n} ${v}`).join(',')}]`).join(' ');
}
