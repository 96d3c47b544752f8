// The bench's per-task thread CPU figures (sim/bench/task-cpu.ts) from Chrome trace events.
import { describe, expect, it } from 'vitest';
import { formatCpuTasks, taskCpuFigures, type TraceEvent } from '../../sim/bench/task-cpu.ts';

const meta = (pid: number, tid: number, name: string): TraceEvent => ({ name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name } });
const x = (name: string, ts: number, durMs: number, cpuMs: number | undefined, pid = 1, tid = 10): TraceEvent => ({
  name, ph: 'X', ts, dur: durMs * 1000, ...(cpuMs === undefined ? {} : { tdur: cpuMs * 1000 }), pid, tid,
});

describe('taskCpuFigures', () => {
  it('counts the main thread tasks by thread CPU, not wall time, and lists the work directly inside', () => {
    const events = [
      meta(1, 10, 'CrRendererMain'),
      meta(1, 11, 'DedicatedWorker thread'),
      // Wall 400 ms but 12 ms of CPU: waiting for a core, not a long task by CPU.
      x('RunTask', 0, 400, 12),
      // 60 ms of CPU: a script call holding a GC, then a commit.
      x('RunTask', 1_000_000, 90, 60),
      x('FunctionCall', 1_000_100, 50, 40),
      x('MinorGC', 1_000_200, 20, 15),
      x('Commit', 1_060_000, 25, 18),
      // 20 ms: over a frame, under 50; 15 ms of it in no traced sub-event.
      x('RunTask', 2_000_000, 30, 20),
      x('Layout', 2_000_000, 6, 5),
      // A worker's task of 500 ms CPU: not the page's main thread.
      x('RunTask', 0, 600, 500, 1, 11),
    ];
    const f = taskCpuFigures(events);
    expect(f.tasks).toBe(3);
    expect(f.tasksWithCpu).toBe(3);
    expect(f.longestCpuMs).toBe(60);
    expect(f.over50).toBe(1);
    expect(f.overFrame).toBe(2);
    expect(f.longest.map((t) => t.cpuMs)).toEqual([60, 20, 12]);
    // The GC inside the call is not counted again beside it.
    expect(f.longest[0]!.inside).toEqual([['FunctionCall', 40], ['Commit', 18], ['other', 2]]);
    expect(f.longest[1]!.inside).toEqual([['other', 15], ['Layout', 5]]);
    expect(formatCpuTasks(f.longest.slice(0, 1))).toBe('60/90ms@1.0s[FunctionCall 40,Commit 18,other 2]');
  });

  it('takes the busiest renderer main thread when a navigation swapped processes', () => {
    const events = [meta(1, 10, 'CrRendererMain'), meta(2, 20, 'CrRendererMain'), x('RunTask', 0, 5, 3), x('RunTask', 0, 80, 70, 2, 20), x('RunTask', 100_000, 30, 25, 2, 20)];
    const f = taskCpuFigures(events);
    expect(f.tasks).toBe(2);
    expect(f.longestCpuMs).toBe(70);
    expect(f.over50).toBe(1);
  });

  it('says there is no thread CPU when the events carry none', () => {
    const f = taskCpuFigures([meta(1, 10, 'CrRendererMain'), x('RunTask', 0, 80, undefined)]);
    expect(f).toMatchObject({ tasks: 1, tasksWithCpu: 0, longestCpuMs: 0, over50: 0, overFrame: 0, longest: [] });
    expect(taskCpuFigures([]).tasks).toBe(0);
  });
});

describe('TaskCpuTracing', () => {
  it('turns itself off, saying why, when the CDP session fails', async () => {
    const { TaskCpuTracing } = await import('../../sim/bench/viewer.ts');
    const page = { context: () => ({ newCDPSession: () => Promise.reject(new Error('no CDP here')) }) };
    const t = new TaskCpuTracing();
    await t.start(page as never);
    expect(t.off).toBe('tracing did not start: no CDP here');
    expect(await t.stop()).toBeUndefined();
  });

  it('turns itself off when tracing does not end', async () => {
    const { TaskCpuTracing } = await import('../../sim/bench/viewer.ts');
    const cdp = {
      on: () => cdp,
      once: () => cdp,
      send: (method: string) => (method === 'Tracing.end' ? Promise.reject(new Error('target closed')) : Promise.resolve({})),
      detach: () => Promise.resolve(),
    };
    const page = { context: () => ({ newCDPSession: () => Promise.resolve(cdp) }) };
    const t = new TaskCpuTracing();
    await t.start(page as never);
    expect(t.off).toBeUndefined();
    expect(await t.stop()).toBeUndefined();
    expect(t.off).toBe('tracing did not end: target closed');
  });
});
