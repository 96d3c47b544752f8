// Checks of a whole scenario that its zod schema cannot express field by field:
// partitions whose groups overlap (an error: the partition would be ambiguous),
// faults scheduled after the run ends and a `name` that differs from the file
// name (warnings: the run is still well defined, and `faultline fuzz
// --duration` legitimately shortens a run below a base scenario's timeline).
// Pure: the CLI prints the warnings (sim/cli/scenarios.ts).

// Exact to the µs, as the scenario may write it (a fault at 1000.001ms is not "after 1s" rounded).
import { durationText as formatDuration } from '../api/durations.ts';
import { InputError } from './errors.ts';
import type { Scenario } from './schema.ts';

export interface ScenarioWarning {
  /** Path inside the document, e.g. "faults.timeline[3].at". */
  where: string;
  message: string;
}

/** At most this many faults of one kind expected from the nemesis: its timeline is expanded before the run, so a huge rate over a long run would exhaust memory first. */
export const MAX_NEMESIS_FAULTS = 1_000_000;

/**
 * Throws InputError (naming the file and the path) when a partition puts a node in two
 * groups, or twice in one, or when a nemesis rate over its window would expand into more
 * than MAX_NEMESIS_FAULTS faults of one kind.
 */
export function checkScenario(scenario: Scenario, file?: string): void {
  const nemesis = scenario.faults.nemesis;
  if (nemesis) {
    const from = nemesis.from ?? 0;
    const until = nemesis.until ?? Math.floor(scenario.duration * 0.7);
    const seconds = Math.max(0, until - from) / 1_000_000;
    for (const kind of ['crash', 'partition', 'pause', 'clock', 'loss'] as const) {
      const rate = nemesis[kind]?.rate;
      if (rate !== undefined && rate * seconds > MAX_NEMESIS_FAULTS) {
        throw new InputError(`${rate} ${kind} faults a second over ${seconds}s is about ${(rate * seconds).toPrecision(3)}; at most ${MAX_NEMESIS_FAULTS} of a kind per run`, file, `faults.nemesis.${kind}.rate`);
      }
    }
  }
  scenario.faults.timeline.forEach((f, i) => {
    if (f.kind !== 'partition') return;
    const groupOf = new Map<string, number>();
    (f.groups ?? []).forEach((g, gi) =>
      g.forEach((id, k) => {
        const first = groupOf.get(id);
        if (first !== undefined) {
          const what = first === gi ? `"${id}" is listed twice in group ${gi}` : `"${id}" is in group ${first} and in group ${gi}`;
          throw new InputError(`overlapping partition groups: ${what}; a node belongs to at most one group`, file, `faults.timeline[${i}].groups[${gi}][${k}]`);
        }
        groupOf.set(id, gi);
      }),
    );
  });
}

/** The file name without its folder and extension: "scenarios/raft-basic.ts" -> "raft-basic". */
function stem(file: string): string {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * What is legal but almost certainly a mistake: a fault at a time after the run ends (it
 * never fires; a fault at exactly the duration still does), and, given the file, a `name`
 * other than the file's name (traces, lists and fuzz reports say the name, so it should
 * find the file).
 */
export function scenarioWarnings(scenario: Scenario, file?: string): ScenarioWarning[] {
  const out: ScenarioWarning[] = [];
  if (file !== undefined && stem(file) !== scenario.name) {
    out.push({ where: 'name', message: `the name "${scenario.name}" differs from the file name "${stem(file)}"; traces and reports will say "${scenario.name}"` });
  }
  scenario.faults.timeline.forEach((f, i) => {
    const at = (f as { at?: unknown }).at;
    if (typeof at === 'number' && at > scenario.duration) {
      out.push({ where: `faults.timeline[${i}].at`, message: `this ${f.kind} at ${formatDuration(at)} is after the run ends (duration ${formatDuration(scenario.duration)}), so it never happens` });
    }
  });
  return out;
}
