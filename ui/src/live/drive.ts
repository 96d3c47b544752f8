// Step mode and message faults by click, on the stepping engine
// (sim/explore/driver.ts): a branch of a run is a schedule (the labels of the
// choices taken, `deliver n1->n2 append-req #7`, `timer n2 election`,
// `crash n1`...), saved as the scenario's `schedule` field, which
// `faultline run` replays through the same driver to the same trace hash.
//
// - `scheduleOf(events, upTo)`: the schedule that replays a trace's events up
//   to the cursor (deliveries, losses, timers, crashes and restarts in trace
//   order). Events the driver has no choice for (pauses, partitions, network
//   duplicates...) make it throw a ScheduleGap naming the first one.
// - `drive(req)`: replay the prefix, take one more choice (step, drop a
//   message) or hold one message back (delay), optionally run on by taking the
//   earliest pending event each time (as a timed run would, without the
//   scenario's random losses and later timeline faults) until the scenario's
//   duration; return the whole schedule, the scenario that replays it and the
//   choices at its end (step mode lists them).
//
// Pure: the live worker runs it, and tests run it in Node.

import { seedToString } from '../../../sim/engine/random.ts';
import type { JsonValue } from '../../../sim/engine/types.ts';
import { Driver, labelOf, type DriveChoice } from '../../../sim/explore/driver.ts';
import { parseScenario, prepareRun } from '../../../sim/scenario/resolve.ts';

export { ScheduleGap, scheduleOf } from './schedule.ts';

/** What to do after replaying the prefix. */
export type DriveAction =
  | { kind: 'none' }
  /** Take this choice (a step, or `drop ...` to lose a message in flight). */
  | { kind: 'take'; label: string }
  /** Hold this message (its `deliver ...` label) back until `by` µs after it was due. */
  | { kind: 'delay'; label: string; by: number };

export interface DriveRequest {
  /** The run's resolved scenario (a trace header's `config`). */
  scenario: JsonValue;
  seed: string;
  prefix: readonly string[];
  action: DriveAction;
  /** Then take the earliest pending event each time until the scenario's duration (or a violation). */
  runOn: boolean;
  /** Most steps to take when running on. */
  maxSteps?: number;
}

export interface StepChoice {
  label: string;
  kind: DriveChoice['kind'];
}

export interface DriveResult {
  schedule: string[];
  /** The scenario that replays the branch: the run's, renamed <name>-branch, with its seed and `schedule`. */
  scenario: Record<string, JsonValue>;
  /** Choices at the end of the schedule (duplicates left out: the list is for a person). */
  choices: StepChoice[];
  /** A violation stopped the run. */
  halted: boolean;
}

/** Replays `prefix`, applies `action`, runs on if asked; see the module comment. Throws ScheduleError (an InputError) when the prefix does not fit. */
export function drive(req: DriveRequest): DriveResult {
  const base = req.scenario;
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof base.name !== 'string') throw new Error('this trace records no scenario to re-run');
  const { schedule: _old, ...rest } = base as Record<string, JsonValue>;
  const scenario = parseScenario(rest);
  const run = prepareRun(scenario, { seed: req.seed });
  // The budgets replaySchedule uses, so that every label of a saved schedule is a choice when `faultline run` replays it.
  const crashRoles = [...new Set(run.nodes.map((n) => n.role))];
  const d = new Driver(run, { budgets: { crashes: Infinity, losses: Infinity, duplicates: Infinity, crashRoles } });
  req.prefix.forEach((label, step) => {
    if (!d.sim.halted) d.takeLabel(label, step);
  });
  let held: { label: string; until: number } | undefined;
  const a = req.action;
  if (a.kind === 'take' && !d.sim.halted) d.takeLabel(a.label);
  if (a.kind === 'delay') {
    const p = d.pending().find((e) => e.kind === 'deliver' && labelOf(e) === a.label);
    if (!p) throw new Error(`"${a.label}" is not in flight here`);
    held = { label: a.label, until: p.t + a.by };
  }
  if (req.runOn) {
    const limit = req.maxSteps ?? 200_000;
    for (let i = 0; i < limit && !d.sim.halted; i++) {
      let best: { label: string; t: number } | undefined;
      for (const p of d.pending()) {
        if (p.kind !== 'deliver' && p.kind !== 'timer') continue;
        const label = labelOf(p);
        const t = held && label === held.label ? Math.max(p.t, held.until) : p.t;
        if (!best || t < best.t) best = { label, t };
      }
      if (!best || best.t > scenario.duration) break;
      if (held && best.label === held.label) held = undefined;
      d.takeLabel(best.label);
    }
  }
  const choices = d.choices().filter((c) => c.kind !== 'duplicate').map((c) => ({ label: c.label, kind: c.kind }));
  const name = base.name.endsWith('-branch') ? base.name : `${base.name}-branch`;
  return { schedule: [...d.schedule], scenario: { ...rest, name, seed: seedToString(req.seed), schedule: [...d.schedule] }, choices, halted: d.sim.halted };
}
