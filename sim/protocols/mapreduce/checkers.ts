// MapReduce checkers. They read what the coordinator publishes and the messages in the trace
// (workers' reports ride on heartbeats), never live nodes.

import { atOrFail, formatDuration, published, type Checker, type SimView } from '../../api/index.ts';
import type { Counts } from './job.ts';
import type { Heartbeat } from './messages.ts';
import type { CoordinatorState } from './state.ts';

function describeDiff(got: Counts, want: Counts): string {
  const words = [...new Set([...Object.keys(got), ...Object.keys(want)])].sort();
  const diffs = words.filter((w) => got[w] !== want[w]).map((w) => `${w}: ${got[w] ?? 0} (expected ${want[w] ?? 0})`);
  return `${diffs.length} of ${words.length} words differ: ${diffs.slice(0, 5).join(', ')}${diffs.length > 5 ? ', ...' : ''}`;
}

/** output-correct: when the coordinator declares the job done, its output equals the sequential word count. */
export function outputCorrectChecker(coordinator: string, expected: Counts): Checker {
  let judged = false;
  return {
    name: 'output-correct',
    description: 'when the job is declared done, its output equals the sequential result (every word, every count)',
    when: 'always',
    judged: () => judged,
    check(view) {
      if (judged || (view.actor !== undefined && view.actor !== coordinator)) return undefined;
      const s = published<CoordinatorState>(view, coordinator);
      if (s?.output === null || s?.output === undefined) return undefined;
      judged = true;
      const got = s.output;
      const same = Object.keys(got).length === Object.keys(expected).length && Object.keys(expected).every((w) => got[w] === expected[w]);
      return same ? undefined : `the job was declared done with a wrong output: ${describeDiff(got, expected)}`;
    },
  };
}

/** exactly-once: no reduce task's result is committed twice, and when the job is done each was committed exactly once. */
export function exactlyOnceChecker(coordinator: string): Checker {
  return {
    name: 'exactly-once',
    description: 'every reduce task result is counted exactly once (duplicates from backups and re-executions ignored)',
    when: 'always',
    check(view) {
      if (view.actor !== undefined && view.actor !== coordinator) return undefined;
      const s = published<CoordinatorState>(view, coordinator);
      if (s === undefined) return undefined;
      const twice = s.commits.findIndex((c) => c > 1);
      if (twice >= 0) return `reduce task ${twice} was committed ${s.commits[twice]} times (attempts: ${s.reduces[twice]?.attempts})`;
      if (s.doneAt !== null) {
        const missing = s.commits.findIndex((c) => c !== 1);
        if (missing >= 0) return `the job was declared done but reduce task ${missing} was committed ${s.commits[missing]} times`;
      }
      return undefined;
    },
  };
}

/**
 * no-lost-input: every reduce result a worker reports was computed from exactly one output of every
 * map task, each an attempt some worker reported completing (so no reduce read a map output that
 * was lost, or read nothing in its place). Reads the reports on heartbeats in the trace.
 */
export function noLostInputChecker(coordinator: string, maps: number): Checker {
  const mapAttempts = new Map<number, number>(); // attempt -> map task
  const checked = new Set<number>();
  let problem: string | undefined;
  return {
    name: 'no-lost-input',
    description: 'every reduce result was computed from one completed output of each map task',
    when: 'always',
    observe(ev) {
      if (problem !== undefined || ev.type !== 'send' || ev.to !== coordinator) return;
      const m = ev.msg as unknown as Heartbeat;
      if (m.type !== 'heartbeat') return;
      for (const r of m.reports) {
        if (r.kind === 'map') {
          mapAttempts.set(r.attempt, r.task);
          continue;
        }
        if (checked.has(r.attempt)) continue;
        checked.add(r.attempt);
        const seen = new Set<number>();
        for (const src of r.sources) {
          if (mapAttempts.get(src.attempt) !== src.map) problem = `reduce ${r.task} (attempt ${r.attempt}, at ${ev.from}) read map ${src.map} from attempt ${src.attempt}, which no worker reported completing`;
          else if (seen.has(src.map)) problem = `reduce ${r.task} (attempt ${r.attempt}, at ${ev.from}) read map ${src.map} twice`;
          seen.add(src.map);
        }
        if (problem === undefined && seen.size !== maps) {
          const missing = Array.from({ length: maps }, (_, i) => i).filter((i) => !seen.has(i));
          problem = `reduce ${r.task} (attempt ${r.attempt}, at ${ev.from}) reported a result without the output of map ${missing.join(', ')}`;
        }
      }
    },
    check() {
      return problem;
    },
  };
}

/** When the nodes have been up, connected to each other and free of loss bursts since (undefined if not now). */
function calmSince(view: SimView, nodes: readonly string[]): number | undefined {
  if (view.faults.lossBurst > 0) return undefined;
  let since = view.faults.lossBurstSince;
  for (let i = 0; i < nodes.length; i++) {
    const a = atOrFail(nodes, i, 'nodes');
    const up = view.faults.runningSince(a);
    if (!view.faults.running(a) || up === undefined) return undefined;
    since = Math.max(since, up);
    for (let j = i + 1; j < nodes.length; j++) {
      const b = atOrFail(nodes, j, 'nodes');
      const s = view.faults.connectedSince(a, b);
      if (s === undefined || !view.faults.connected(a, b)) return undefined;
      since = Math.max(since, s);
    }
  }
  return since;
}

/** job-completes: a run that ends after `grace` of calm (every node up and connected, no loss burst) has a finished job. */
export function jobCompletesChecker(coordinator: string, nodes: readonly string[], grace: number): Checker {
  let reached = false;
  return {
    name: 'job-completes',
    description: 'once faults stop, the job finishes within the grace period',
    when: 'final',
    judged: () => reached,
    check(view) {
      const since = calmSince(view, nodes);
      if (since === undefined || view.now - since < grace) return undefined;
      reached = true;
      const s = published<CoordinatorState>(view, coordinator);
      if (s?.doneAt !== null && s?.doneAt !== undefined) return undefined;
      const pending = (s?.maps ?? []).filter((t) => t.state !== 'done').length;
      const reduces = (s?.reduces ?? []).filter((t) => t.state !== 'done').length;
      return `the job is not done ${formatDuration(view.now - since)} after the faults stopped (bound ${formatDuration(grace)}): ${pending} map and ${reduces} reduce tasks unfinished, phase ${s?.phase ?? '?'}`;
    },
  };
}
