// The stepping engine: choices within budgets, exact replay of a schedule
// (same trace bytes), label errors as input errors, and fingerprints that
// merge interleavings of independent steps but keep different states apart.
import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../sim/engine/trace.ts';
import { Driver, replaySchedule, ScheduleError } from '../../sim/explore/driver.ts';
import { EngineModel } from '../../sim/explore/engine-model.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared, traceHeader } from '../../sim/scenario/run.ts';

const twopc = (bugs: Record<string, boolean> = {}) =>
  prepareRun(
    parseScenario({
      name: 'explore-twopc',
      description: 'small twopc',
      protocol: 'twopc',
      duration: '10s',
      config: { participants: 2, clients: 1, transfers: 1, accountsPerShard: 1, amount: { min: 1, max: 1 }, bugs },
    }),
  );

/** Take the first choice whose label starts with `prefix`. */
function takeMatching(d: Driver, prefix: string): void {
  const i = d.choices().findIndex((c) => c.label.startsWith(prefix));
  expect(i, `no choice "${prefix}" among ${d.choices().map((c) => c.label).join('; ')}`).toBeGreaterThanOrEqual(0);
  d.take(i);
}

describe('Driver', () => {
  it('lists pending deliveries and armed timers; crashes, losses and duplicates only within budgets', () => {
    const none = new Driver(twopc());
    expect(none.choices().map((c) => c.label)).toEqual(['timer c1 next']);
    none.take(0);
    expect(none.choices().map((c) => c.label)).toEqual(['deliver c1->co begin #0', 'timer c1 timeout']);

    const d = new Driver(twopc(), { budgets: { crashes: 1, losses: 1, duplicates: 1 } });
    d.take(0);
    expect(d.choices().map((c) => c.label)).toEqual([
      'deliver c1->co begin #0',
      'drop c1->co begin #0',
      'duplicate c1->co begin #0',
      'timer c1 timeout',
      'crash co',
      'crash p1',
      'crash p2',
    ]);
    takeMatching(d, 'crash p1');
    // One crash used: no more crashes, and the crashed node may restart.
    expect(d.choices().filter((c) => c.kind === 'crash')).toEqual([]);
    expect(d.choices().at(-1)?.label).toBe('restart p1');
    takeMatching(d, 'duplicate c1->co');
    // The copy stays in flight; the duplicate budget is spent.
    expect(d.choices().filter((c) => c.kind === 'deliver').map((c) => c.label)).toContain('deliver c1->co begin #1');
    expect(d.choices().some((c) => c.kind === 'duplicate')).toBe(false);
  });

  it('a schedule replays exactly: same trace, byte for byte, through faultline run', () => {
    const run = twopc();
    const d = new Driver(run, { budgets: { crashes: 1, losses: 1, duplicates: 0 } });
    for (const prefix of ['timer c1 next', 'deliver c1->co', 'deliver co->p1 work', 'crash co', 'deliver co->p2 work', 'restart co', 'drop p1->co']) takeMatching(d, prefix);
    const schedule = [...d.schedule];
    const a = new MemorySink();
    const b = new MemorySink();
    replaySchedule(run, schedule, { trace: a, header: traceHeader(run), hash: true });
    replaySchedule(run, schedule, { trace: b, header: traceHeader(run), hash: true });
    expect(a.text()).toBe(b.text());
    expect(a.text()).toContain('"type":"crash","node":"co"');
    expect(a.text()).toContain('"reason":"loss"');
    // A scenario carrying the schedule runs the same way through runPrepared (what faultline run calls).
    const scheduled = prepareRun(parseScenario({ ...run.scenario, schedule }));
    const c = new MemorySink();
    const result = runPrepared(scheduled, { trace: c });
    expect(result.stats.faults).toBe(2);
    const events = (text: string) => text.split('\n').slice(1, -2).join('\n');
    expect(events(c.text())).toBe(events(a.text()));
  });

  it('a label that is not a choice is an input error naming the step', () => {
    const run = twopc();
    expect(() => replaySchedule(run, ['timer c1 next', 'deliver co->p9 work #1'])).toThrow(ScheduleError);
    try {
      replaySchedule(run, ['timer c1 next', 'deliver co->p9 work #1']);
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).describe()).toMatch(/^schedule\[1\]: "deliver co->p9 work #1" is not a choice at this step; expected one of: deliver c1->co begin #0/);
    }
  });

  it('coalesce merges identical copies in flight on one link, and writes the loss into the schedule', () => {
    const run = twopc();
    const d = new Driver(run, { coalesce: true });
    for (const prefix of ['timer c1 next', 'deliver c1->co']) takeMatching(d, prefix);
    // The coordinator's retry timer re-sends work to both participants: the new copies merge with those in flight.
    takeMatching(d, 'timer co retry');
    expect(d.choices().filter((c) => c.label.startsWith('deliver co->p1 work'))).toHaveLength(1);
    expect(d.schedule.filter((l) => l.startsWith('drop '))).toHaveLength(2);
    // Without coalescing both copies stay.
    const e = new Driver(run);
    for (const prefix of ['timer c1 next', 'deliver c1->co', 'timer co retry']) takeMatching(e, prefix);
    expect(e.choices().filter((c) => c.label.startsWith('deliver co->p1 work'))).toHaveLength(2);
    // The coalesced schedule replays without the option.
    expect(replaySchedule(run, d.schedule).stats.messages.dropped).toBe(2);
  });
});

describe('EngineModel fingerprints', () => {
  const model = new EngineModel(twopc(), { budgets: { crashes: 1, losses: 0, duplicates: 0 } });
  const after = (prefixes: string[]) => {
    const d = new Driver(model.run, { budgets: model.opts.budgets });
    for (const p of prefixes) takeMatching(d, p);
    return d;
  };
  const fp = (d: Driver) => model.fingerprint(model.restore(d.path), false);

  it('independent steps in either order reach the same fingerprint (time and message ids are abstracted)', () => {
    const base = ['timer c1 next', 'deliver c1->co'];
    const ab = after([...base, 'deliver co->p1 work', 'deliver co->p2 work']);
    const ba = after([...base, 'deliver co->p2 work', 'deliver co->p1 work']);
    expect(fp(ab)).toBe(fp(ba));
  });

  it('different states differ: a delivered message, a crash, a spent budget', () => {
    const base = ['timer c1 next', 'deliver c1->co'];
    const one = after([...base, 'deliver co->p1 work']);
    const two = after([...base, 'deliver co->p2 work']);
    expect(fp(one)).not.toBe(fp(two));
    const crashed = after([...base, 'crash p1']);
    const restarted = after([...base, 'crash p1', 'restart p1']);
    expect(fp(crashed)).not.toBe(fp(after(base)));
    // Restarted p1 has the same disk and no volatile state to lose here, but the crash budget is spent.
    expect(fp(restarted)).not.toBe(fp(after(base)));
  });

  it('step() reuses untouched nodes\' parts and gives the fingerprint a full recomputation gives', () => {
    let d = model.initial();
    for (const i of [0, 0, 1, 0, 2, 0]) {
      const n = model.choices(d).length;
      const next = model.step(d, Math.min(i, n - 1));
      expect(model.fingerprint(next, false)).toBe(model.fingerprint(model.restore(next.path), false));
      d = next;
    }
  });
});
