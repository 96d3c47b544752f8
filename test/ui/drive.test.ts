// Step mode and message faults by click (ui/src/live/drive.ts): the schedule
// of a trace's prefix replays that prefix through the stepping engine; a drop
// or delay of one message in flight changes only that message; the branch's
// scenario (with its `schedule`) replays to the same hash.

import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { drive, ScheduleGap, scheduleOf } from '../../ui/src/live/drive.ts';
import leaderCrash from '../../scenarios/raft-leader-crash.ts';

function run(doc: unknown, seed?: string): { events: TraceEvent[]; config: unknown; seed: string; hash: string } {
  const sink = new MemorySink();
  const prepared = prepareRun(parseScenario(doc), seed === undefined ? {} : { seed });
  const r = runPrepared(prepared, { trace: sink });
  const t = parseTrace(sink.text());
  return { events: t.events, config: t.header.config, seed: t.header.seed, hash: r.hash ?? '' };
}

/** An event without its time (a driven run takes events in the same order; its clock may differ). */
const shape = (e: TraceEvent): string => JSON.stringify({ ...e, t: 0 });

const timed = run(leaderCrash);
/** The last event before the first one the driver has no choice for (or before the crash at 1s, whichever is first). */
function lastReplayable(): number {
  try {
    scheduleOf(timed.events, timed.events.length - 1);
    return timed.events.length - 1;
  } catch (err) {
    if (err instanceof ScheduleGap) return err.seq - 1;
    throw err;
  }
}

describe('scheduleOf + drive', () => {
  const end = Math.min(lastReplayable(), 600);

  it('the schedule of a prefix replays that prefix, event for event', () => {
    expect(end).toBeGreaterThan(100);
    for (const cursor of [40, Math.floor(end / 2), end]) {
      const prefix = scheduleOf(timed.events, cursor);
      const r = drive({ scenario: timed.config as never, seed: timed.seed, prefix, action: { kind: 'none' }, runOn: false });
      expect(r.schedule).toEqual(prefix);
      const branch = run(r.scenario);
      // The branch has every event up to the last choice at or before the cursor, and what that step emitted,
      // in the same order, but for a loss decided at the send: a timed run traces it inside the sending step,
      // a driven run as a step of its own after it. So: the same events without drops, the same drops.
      const n = Math.min(branch.events.length, cursor + 1);
      expect(n).toBeGreaterThan(cursor - 20);
      const rest = (l: TraceEvent[]): string[] => l.filter((e) => e.type !== 'drop').map((e) => shape({ ...e, seq: 0 }));
      const a = rest(branch.events.slice(0, n));
      const b = rest(timed.events.slice(0, n));
      const k = Math.min(a.length, b.length);
      expect(k).toBeGreaterThan(n - 40);
      expect(a.slice(0, k)).toEqual(b.slice(0, k));
      const drops = (l: TraceEvent[]): number[] => l.flatMap((e) => (e.type === 'drop' ? [e.id] : []));
      const timedDrops = new Set(drops(timed.events.slice(0, n + 10)));
      expect(drops(branch.events.slice(0, n)).every((id) => timedDrops.has(id))).toBe(true);
    }
  });

  it('a dropped message is lost, not delivered; the saved scenario replays to the same hash', () => {
    const cursor = Math.floor(end / 2);
    const prefix = scheduleOf(timed.events, cursor);
    const first = drive({ scenario: timed.config as never, seed: timed.seed, prefix, action: { kind: 'none' }, runOn: false });
    const victim = first.choices.find((c) => c.kind === 'deliver')!;
    const id = Number(/#(\d+)$/.exec(victim.label)![1]);
    const r = drive({ scenario: timed.config as never, seed: timed.seed, prefix, action: { kind: 'take', label: victim.label.replace(/^deliver/, 'drop') }, runOn: true, maxSteps: 3000 });
    const a = run(r.scenario);
    const b = run(JSON.parse(JSON.stringify(r.scenario)));
    expect(a.hash).toBe(b.hash);
    expect(a.events.some((e) => e.type === 'drop' && e.id === id && e.reason === 'loss')).toBe(true);
    expect(a.events.some((e) => e.type === 'deliver' && e.id === id)).toBe(false);
    expect(a.events.length).toBeGreaterThan(cursor + 500);
  });

  it('a delayed message arrives after every event due before its new time', () => {
    const cursor = Math.floor(end / 2);
    const prefix = scheduleOf(timed.events, cursor);
    const first = drive({ scenario: timed.config as never, seed: timed.seed, prefix, action: { kind: 'none' }, runOn: false });
    const victim = first.choices.find((c) => c.kind === 'deliver')!;
    const id = Number(/#(\d+)$/.exec(victim.label)![1]);
    const by = 200_000;
    const r = drive({ scenario: timed.config as never, seed: timed.seed, prefix, action: { kind: 'delay', label: victim.label, by }, runOn: true, maxSteps: 5000 });
    const a = run(r.scenario);
    const sendT = a.events.find((e) => e.type === 'send' && e.id === id)!.t;
    const at = a.events.findIndex((e) => e.type === 'deliver' && e.id === id);
    expect(at).toBeGreaterThan(0);
    expect(a.events[at]!.t).toBeGreaterThanOrEqual(sendT + by);
  });

  it('a pause in the prefix is named as the event step mode cannot get past', () => {
    const ev = [{ seq: 0, t: 0, type: 'start', node: 'n1' }, { seq: 1, t: 5, type: 'pause', node: 'n1' }] as TraceEvent[];
    expect(scheduleOf(ev, 0)).toEqual([]);
    expect(() => scheduleOf(ev, 1)).toThrow(/event #1 \(pause\)/);
  });
});
