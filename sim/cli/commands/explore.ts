// faultline explore <twopc-spec|protocol|scenario> [--depth D] [--max-states N] [--bfs|--dfs]
//   [--symmetry] [--crashes K] [--losses K] [--duplicates K] [--bug NAME]... [--rms N] [--out DIR] [--json]
// Exhaustive exploration of a small configuration (sim/explore): every reachable state up to the
// bounds, invariants checked at every state, the shortest counterexample (BFS) written as a scenario
// that `faultline run` replays and as its trace.

import { BUG_OPTION_HELP, collectBugs } from '../bug-option.ts';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { exploring, type ExploreProgress, type ExploreReport } from '../../explore/explorer.ts';
import { counterexampleName, counterexampleScenario, deepening, exploreTarget, SPEC_MODELS, type DeepenEnd, type DeepenLevel, type ExploreTarget, type TargetOptions } from '../../explore/run.ts';
import { profileProtocols } from '../../explore/profiles.ts';
import { getProtocol } from '../../protocols/registry.ts';
import { InputError } from '../../scenario/errors.ts';
import { parseScenario, prepareRun } from '../../scenario/resolve.ts';
import { runPrepared } from '../../scenario/run.ts';
import { checkOutputFolder, checkOutputPath, writeOutputFiles } from '../file-sink.ts';
import { MemorySink } from '../../engine/trace.ts';
import { releaseWarnings } from '../messages.ts';
import { loadScenario, scenarioFiles } from '../scenarios.ts';
import { formatWall } from '../time-format.ts';

interface ExploreCliOptions {
  depth?: string;
  maxStates?: string;
  bfs?: boolean;
  dfs?: boolean;
  symmetry?: boolean;
  crashes?: string;
  losses?: string;
  duplicates?: string;
  maxInFlight?: string;
  coalesce?: boolean;
  snapshots?: string;
  por?: boolean;
  timers?: string;
  drift?: string;
  delays?: string;
  maxTerm?: string;
  deepen?: string;
  deepenTo?: string;
  deadMessages: boolean;
  bug?: string[];
  rms?: string;
  out?: string;
  json?: boolean;
  progress: boolean;
}

function count(text: string | undefined, option: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  // Number('') is 0: an empty value (`--snapshots ''`) is bad input, not zero.
  const n = text.trim() === '' ? Number.NaN : Number(text.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new InputError(`expected an integer >= ${min} (got "${text}")`, undefined, option);
  return n;
}

/** `--timers election=4,heartbeat=2,*=9` (or `--timers 9` for all kinds together): timer firings per kind. */
function timerBudgets(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const kind = eq < 0 ? '*' : part.slice(0, eq).trim();
    if (kind === '') throw new InputError(`expected kind=count (got "${part}")`, undefined, '--timers');
    if (Object.hasOwn(out, kind)) throw new InputError(`${kind === '*' ? 'all kinds' : `"${kind}"`} bounded twice (got "${text}")`, undefined, '--timers');
    out[kind] = count(eq < 0 ? part : part.slice(eq + 1), '--timers') as number;
  }
  return out;
}

/** `--delays k`: an integer >= 0 or `unbounded` (the message says both). */
function delaysCount(text: string): number {
  try {
    return count(text, '--delays') as number;
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`expected an integer >= 0 or "unbounded" (got "${text}")`, undefined, '--delays');
    throw err;
  }
}

/** The nodes of an engine target by role, in run order: `4: 1 server (s1), 1 resource (r1), 2 clients (c1, c2)`. */
export function nodeSet(nodes: readonly { id: string; role: string }[]): string {
  const roles = new Map<string, string[]>();
  for (const n of nodes) roles.set(n.role, [...(roles.get(n.role) ?? []), n.id]);
  const plural = (role: string, k: number): string => (k === 1 ? role : role.endsWith('s') ? `${role}es` : `${role}s`);
  return `${nodes.length}: ${[...roles].map(([role, ids]) => `${ids.length} ${plural(role, ids.length)} (${ids.join(', ')})`).join(', ')}`;
}

/** What the options ask of exploreTarget; `timersOver`: timer budgets over --timers' (a --deepen level). */
function targetOptions(opts: ExploreCliOptions, timersOver?: Record<string, number>): TargetOptions {
  return {
    ...(opts.crashes !== undefined ? { crashes: count(opts.crashes, '--crashes') } : {}),
    ...(opts.losses !== undefined ? { losses: count(opts.losses, '--losses') } : {}),
    ...(opts.duplicates !== undefined ? { duplicates: count(opts.duplicates, '--duplicates') } : {}),
    ...(opts.maxInFlight !== undefined ? { maxInFlight: count(opts.maxInFlight, '--max-in-flight', 1) } : {}),
    ...(opts.rms !== undefined ? { rms: count(opts.rms, '--rms', 1) } : {}),
    ...(opts.bug ? { bugs: opts.bug } : {}),
    ...(opts.coalesce !== undefined ? { coalesce: opts.coalesce } : {}),
    ...(opts.snapshots !== undefined ? { snapshots: count(opts.snapshots, '--snapshots') } : {}),
    ...(opts.por ? { por: true } : {}),
    ...(opts.timers !== undefined || timersOver !== undefined ? { timers: { ...(opts.timers !== undefined ? timerBudgets(opts.timers) : {}), ...timersOver } } : {}),
    ...(opts.deadMessages === false ? { deadMessages: false } : {}),
    ...(opts.drift !== undefined ? { drift: count(opts.drift, '--drift') } : {}),
    ...(opts.maxTerm !== undefined ? { maxTerm: count(opts.maxTerm, '--max-term', 1) } : {}),
    ...(opts.delays !== undefined ? { delays: opts.delays.trim() === 'unbounded' ? Number.POSITIVE_INFINITY : delaysCount(opts.delays) } : {}),
  } as TargetOptions;
}

async function target(ref: string, opts: ExploreCliOptions, timersOver?: Record<string, number>): Promise<ExploreTarget> {
  const t = targetOptions(opts, timersOver);
  if (t.rms !== undefined && t.rms > 16) throw new InputError('expected at most 16 resource managers', undefined, '--rms');
  const isFile = existsSync(ref) || scenarioFiles().some((f) => f.replace(/^.*\//, '').replace(/\.(ts|js|json)$/, '') === ref);
  if (!isFile && (SPEC_MODELS.includes(ref) || profileProtocols().includes(ref))) return exploreTarget(ref, t);
  if (!isFile && getProtocol(ref)) throw new InputError(`protocol ${ref} has no explore profile (sim/explore/profiles.ts): explore a scenario file of it instead`, ref);
  if (!isFile) throw new InputError(`not a scenario file, a scenario in scenarios/, or an explorable model; explorable: ${[...SPEC_MODELS, ...profileProtocols()].join(', ')}`, ref);
  const { file, scenario } = await loadScenario(ref);
  try {
    return exploreTarget(scenario, t);
  } catch (err) {
    if (err instanceof InputError && err.file === undefined) throw new InputError(err.message, file, err.where);
    throw err;
  }
}

const DEEPEN_ENDS: Record<DeepenEnd, string> = {
  violation: 'a violation (no lower level has one)',
  'max-states': 'the level reached --max-states',
  stopped: 'interrupted',
  'not-binding': 'no timer was kept from firing by its budget, so every higher level explores the same states',
  'up-to': 'the last level of --deepen-to',
};

export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('explore every state of a small configuration; exit 0 if no invariant broke within the bounds, 1 if one did (counterexample written) or the verdict is unknown (stopped by --max-states or Ctrl-C before the bounds were covered), 2 for bad input')
    .argument('<target>', `twopc-spec (the TLA+ TwoPhase spec), a protocol with an explore profile (${profileProtocols().join(', ')}), or a scenario file/name`)
    .option('--depth <n>', 'maximum number of steps from the initial state')
    .option('--max-states <n>', 'stop after this many distinct states')
    .option('--bfs', 'breadth-first (default): the first counterexample is a shortest one')
    .option('--dfs', 'depth-first: less memory for the frontier; counterexamples need not be shortest')
    .option('--symmetry', 'exact symmetry reduction of interchangeable nodes (twopc-spec: the RMs; raft: the servers)')
    .option('--crashes <k>', 'crash budget (each crashed node may restart)')
    .option('--losses <k>', 'message-loss budget')
    .option('--duplicates <k>', 'message-duplication budget')
    .option('--max-in-flight <n>', 'do not expand states with more messages in flight')
    .option('--coalesce', 'merge identical in-flight copies on a link (default: the profile says; off without one)')
    .option('--no-coalesce', 'keep identical in-flight copies apart')
    .option('--snapshots <n>', 'engine models: expand states from copies of their parents (at most n kept) instead of replaying their paths (default 0: replay)')
    .option('--por', 'partial-order reduction by sleep sets (implies --dfs; every state is still visited, fewer transitions taken; engine models: no in-flight bound)')
    .option('--timers <budgets>', 'timer firings per kind over all nodes, e.g. election=4,heartbeat=2 (* or a bare number: all kinds together); a bounded exploration')
    .option('--max-term <n>', 'raft: the highest term a server may reach (default 3; states beyond it are not expanded)')
    .option('--drift <k>', 'timed profiles (lock): steps that may let another timer fire late (a clock beyond its drift bound, or a pause); default 0')
    .option('--delays <k>', "timed profiles (lock): messages that may arrive after their scheduled arrival ('unbounded': an asynchronous network); default the profile's (lock: 1)")
    .option('--deepen <kinds>', 'iterative deepening over timer budgets: explore with these kinds (comma-separated; * for all firings together) bounded at 0 firings, then 1, 2, ... until a violation, a level cut by --max-states, or a level the timer budget no longer binds; each level\'s verdict printed')
    .option('--deepen-to <n>', 'with --deepen: the last level tried')
    .option('--no-dead-messages', "keep the messages the profile declares dead (raft: responses of an older term than their receiver's) in the state")
    .option('--bug <name>', BUG_OPTION_HELP, collectBugs)
    .option('--rms <n>', 'twopc-spec: number of resource managers (default 3)')
    .option('--out <dir>', 'where the counterexample scenario and trace go', 'traces')
    .option('--json', 'print one JSON line instead of the report')
    .option('--no-progress', 'no progress bar')
    .action(async (ref: string, opts: ExploreCliOptions) => {
      if (opts.bfs && opts.dfs) throw new InputError('choose one of --bfs and --dfs', undefined, '--dfs');
      if (opts.bfs && opts.por) throw new InputError('partial-order reduction (sleep sets) is DFS only: drop --bfs', undefined, '--por');
      const dfs = Boolean(opts.dfs || opts.por);
      const maxDepth = count(opts.depth, '--depth');
      const maxStates = count(opts.maxStates, '--max-states', 1);
      const deepenKinds = opts.deepen?.split(',').map((k) => k.trim());
      if (deepenKinds !== undefined && deepenKinds.some((k) => k === '')) throw new InputError(`expected timer kinds separated by commas (got "${opts.deepen}")`, undefined, '--deepen');
      if (opts.deepenTo !== undefined && deepenKinds === undefined) throw new InputError('--deepen-to is the last level of --deepen: give --deepen too', undefined, '--deepen-to');
      const deepenTo = count(opts.deepenTo, '--deepen-to');
      if (deepenKinds !== undefined && opts.timers !== undefined) {
        const fixed = Object.keys(timerBudgets(opts.timers));
        const both = deepenKinds.find((k) => fixed.includes(k));
        if (both !== undefined) throw new InputError(`${both === '*' ? 'all kinds' : `"${both}"`} is both deepened and fixed by --timers`, undefined, '--deepen');
      }
      let t: ExploreTarget;
      try {
        t = await target(ref, opts, deepenKinds ? Object.fromEntries(deepenKinds.map((k) => [k, 0])) : undefined);
      } catch (err) {
        // A deepened kind is checked as a timer budget: name the option the user gave it in.
        const kind = err instanceof InputError && err.where === '--timers' ? /^no timer kind "([^"]*)"/.exec(err.message)?.[1] : undefined;
        if (err instanceof InputError && kind !== undefined && deepenKinds?.includes(kind)) throw new InputError(err.message.replace(/; expected \* or /, '; expected * (all firings together) or '), err.file, '--deepen');
        throw err;
      }
      const symmetry = Boolean(opts.symmetry);
      if (symmetry && !t.symmetric) throw new InputError(`${t.name} has no interchangeable nodes (symmetry: twopc-spec's RMs, raft's servers; see sim/explore/profiles.ts)`, undefined, '--symmetry');
      // The counterexample's files: their folder and names checked before the search spends its time (as fuzz
      // checks --out), not found unusable after it, when the report would be lost.
      const outDir = opts.out ?? 'traces';
      const outputsOf = (name: string): { scenario: string; trace: string } => {
        const base = join(outDir, name);
        return { scenario: `${base}.json`, trace: `${base}.jsonl` };
      };
      if (t.scenario) {
        checkOutputFolder(outDir, 'the counterexample', '--out');
        const planned = outputsOf(counterexampleName(t.scenario.name));
        checkOutputPath(planned.scenario, 'the scenario');
        checkOutputPath(planned.trace, 'the trace');
      }
      releaseWarnings(); // the input is checked: its warnings go before the report
      // Targets of every level, built before any exploration so that bad input is reported first.
      const levelTargets = new Map<string, ExploreTarget>();
      if (deepenKinds) levelTargets.set(JSON.stringify(Object.fromEntries(deepenKinds.map((k) => [k, 0]))), t);

      let stop = false;
      const onSigint = (): void => {
        stop = true;
      };
      process.once('SIGINT', onSigint);
      const t0 = performance.now();
      const showBar = opts.progress && !opts.json && process.stderr.isTTY;
      const bar = showBar
        ? new SingleBar({ format: 'explore | {distinct} distinct | {states} states | depth {depth} | queue {queued} | {rate} states/s', hideCursor: true, stream: process.stderr }, Presets.shades_classic)
        : undefined;
      const rate = (p: ExploreProgress): string => (p.distinct / Math.max(1e-3, (performance.now() - t0) / 1000)).toFixed(0);
      bar?.start(1, 0, { distinct: 0, states: 0, depth: 0, queued: 0, rate: 0 });
      const exploreOpts = {
        ...(maxDepth !== undefined ? { maxDepth } : {}),
        ...(maxStates !== undefined ? { maxStates } : {}),
        strategy: dfs ? ('dfs' as const) : ('bfs' as const),
        symmetry,
        por: Boolean(opts.por),
        shouldStop: () => stop,
        progressEvery: 500,
      };
      let report: ExploreReport;
      const levelLines: string[] = [];
      const levelsJson: Record<string, unknown>[] = [];
      let deepenEnd: DeepenEnd | undefined;
      // Timed driving (lock): timers fire in due order, so a spent kind no longer fires and the others run on;
      // a level's runs are then not a superset of the lower level's (a lower level may reach states it does not).
      const timed = t.budgets?.drift !== undefined;
      try {
        if (deepenKinds) {
          // Level targets are built synchronously (a scenario file was loaded once, above).
          const base = t.scenario;
          const make = (timers: Record<string, number>): ExploreTarget => {
            const key = JSON.stringify(timers);
            const known = levelTargets.get(key);
            if (known) return known;
            return exploreTarget(base ?? ref, targetOptions(opts, timers));
          };
          const it = deepening(make, { kinds: deepenKinds, ...(deepenTo !== undefined ? { upTo: deepenTo } : {}) }, exploreOpts);
          for (;;) {
            const r = it.next();
            if (r.done) {
              t = r.value.target;
              deepenEnd = r.value.end;
              report = (r.value.levels[r.value.levels.length - 1] as DeepenLevel).report;
              break;
            }
            if ('level' in r.value) {
              const l = r.value.level;
              const verdict = l.report.counterexample ? `VIOLATION ${l.report.counterexample.violation.invariant} after ${l.report.counterexample.labels.length} steps` : l.report.end === 'complete' ? `no violation${l.report.cut ? ' (the bounds cut the space)' : ''}${l.timersBound ? '' : '; no timer was kept from firing by its budget'}` : `no violation so far (${l.report.end})`;
              const notSuperset = timed && l.level > 0 ? ` (timed: not a superset of level ${l.level - 1}'s runs)` : '';
              const line = `level ${l.level}     ${deepenKinds.map((k) => `${k === '*' ? 'all' : k} <= ${l.level}`).join(', ')}: ${l.report.distinct} distinct, ${l.report.states} generated, max depth ${l.report.depth}${notSuperset}: ${verdict}`;
              levelLines.push(line);
              levelsJson.push({ level: l.level, timers: l.timers, end: l.report.end, distinct: l.report.distinct, generated: l.report.states, states: l.report.states, depth: l.report.depth, cut: l.report.cut, timers_bound: l.timersBound, violation: l.report.counterexample?.violation ?? null });
              if (!opts.json) {
                bar?.stop();
                process.stdout.write(line + '\n');
                bar?.start(1, 0, { distinct: 0, states: 0, depth: 0, queued: 0, rate: 0 });
              }
            } else bar?.update(0, { ...r.value.progress, rate: rate(r.value.progress) });
            await new Promise<void>((res) => setImmediate(res));
          }
        } else {
          const it = exploring(t.model, exploreOpts);
          for (;;) {
            const r = it.next();
            if (r.done) {
              report = r.value;
              break;
            }
            bar?.update(0, { ...r.value, rate: rate(r.value) });
            // Let the event loop run between slices, so a Ctrl-C is seen and the exploration stops with a report.
            await new Promise<void>((res) => setImmediate(res));
          }
        }
      } finally {
        bar?.stop();
        process.removeListener('SIGINT', onSigint);
      }
      const wall = (performance.now() - t0) / 1000;

      // The counterexample's scenario and trace are made in memory (a few steps), the report printed, and only
      // then are both files written, together or not at all: a failed write loses neither the report nor leaves half an output.
      let written: { scenario: string; trace: string } | undefined;
      let files: { path: string; text: string; what: string }[] = [];
      const cexDoc = counterexampleScenario(t, report);
      if (cexDoc) {
        written = outputsOf(String(cexDoc.name));
        const prepared = prepareRun(parseScenario(cexDoc, written.scenario));
        const sink = new MemorySink();
        runPrepared(prepared, { trace: sink });
        files = [
          { path: written.trace, text: sink.text(), what: 'the trace' },
          { path: written.scenario, text: JSON.stringify(cexDoc, null, 2) + '\n', what: 'the scenario' },
        ];
      }
      // Verdicts as `faultline check`'s: a violation (exit 1), none in a search that covered its bounds (exit 0),
      // or unknown, a search stopped before its bounds were covered (--max-states, Ctrl-C): exit 1, not a pass.
      const verdict = report.counterexample ? 'violation' : report.end === 'complete' ? 'no-violation' : 'unknown';
      const unknownWhy =
        report.end === 'max-states'
          ? `stopped at --max-states ${maxStates ?? report.distinct} before the bounds were exhausted (${report.queued} states not expanded)`
          : `interrupted before the bounds were exhausted (${report.queued} states not expanded)`;

      const summary = {
        target: t.name,
        strategy: dfs ? 'dfs' : 'bfs',
        symmetry,
        por: Boolean(opts.por),
        slept: report.slept,
        bounds: t.bounds,
        end: report.end,
        verdict,
        ...(verdict === 'unknown' ? { unknown: unknownWhy } : {}),
        generated: report.states,
        /** The old name of `generated` (kept for scripts that read it). */
        states: report.states,
        distinct: report.distinct,
        depth: report.depth,
        cut: report.cut,
        queued: report.queued,
        wall_s: wall,
        states_per_s: report.distinct / Math.max(1e-6, wall),
        rss_mb: process.memoryUsage().rss / 2 ** 20,
        goals: report.goals,
        violation: report.counterexample?.violation ?? null,
        counterexample: report.counterexample?.labels ?? null,
        written: written ?? null,
        nodes: t.scenario ? prepareRun(t.scenario).nodes.map((n) => ({ id: n.id, role: n.role })) : null,
        ...(deepenKinds ? { deepen: { kinds: deepenKinds, end: deepenEnd ?? null, levels: levelsJson, ...(timed ? { levels_superset: false } : {}) } } : {}),
      };
      if (opts.json) {
        process.stdout.write(JSON.stringify(summary) + '\n');
      } else {
        const lines = [
          `explored    ${t.name}, ${summary.strategy}${symmetry ? ', symmetry on (exact)' : ''}${opts.por ? `, partial-order reduction (sleep sets: ${report.slept} choices slept)` : ''}`,
          `bounds      ${t.bounds}${maxDepth !== undefined ? `; depth <= ${maxDepth}` : ''}${maxStates !== undefined ? `; states <= ${maxStates}` : ''}`,
          `states      ${report.distinct} distinct, ${report.states} generated, max depth ${report.depth}${report.cut ? ' (the bounds cut the space)' : ''}`,
          `ended       ${report.end}${report.end === 'stopped' ? ` (interrupted: ${report.queued} states not expanded)` : ''}`,
          `speed       ${summary.states_per_s.toFixed(0)} distinct states/s, ${formatWall(wall)}, RSS ${summary.rss_mb.toFixed(0)} MB`,
          `goals       ${Object.entries(report.goals).map(([g, d]) => `${g} (depth ${d})`).join(', ') || 'none reached'}`,
        ];
        if (t.scenario) lines.splice(1, 0, `nodes       ${nodeSet(prepareRun(t.scenario).nodes)}`);
        if (deepenKinds) {
          const timedNote = timed ? " (timed driving: a spent timer kind stops firing while the others run on, so each level's runs are not a superset of the lower level's, and its distinct states may be fewer)" : '';
          lines.unshift(`deepened    ${levelLines.length} level${levelLines.length === 1 ? '' : 's'}, ended: ${DEEPEN_ENDS[deepenEnd ?? 'stopped']}; the report below is the last level's${timedNote}`);
        }
        if (report.counterexample) {
          const c = report.counterexample;
          lines.push(`VIOLATION   ${c.violation.invariant}: ${c.violation.message}`, `            after ${c.labels.length} steps${summary.strategy === 'bfs' ? ' (shortest)' : ''}:`);
          c.labels.forEach((l, i) => lines.push(`  ${String(i + 1).padStart(3)}. ${l}`));
          if (written) lines.push(`scenario    ${written.scenario}   (replay: npx faultline run ${written.scenario})`, `trace       ${written.trace}   (view: npx faultline view ${written.trace})`);
        } else {
          // Engine models have budgets (crashes, losses, timer firings): their complete exploration covers
          // every state reachable within them, not every state of the protocol.
          const complete = report.end === 'complete' && !report.cut;
          if (verdict === 'unknown') lines.push(`unknown: ${unknownWhy}; no violation among the ${report.distinct} distinct states checked`);
          else lines.push(`no violation${complete ? (t.budgets !== undefined ? ': every state reachable within the bounds above checked' : ': every reachable state checked') : ' within the bounds explored'}`);
        }
        process.stdout.write(lines.join('\n') + '\n');
      }
      process.exitCode = verdict === 'no-violation' ? 0 : 1;
      try {
        if (files.length > 0) writeOutputFiles(files);
      } catch (err) {
        if (err instanceof InputError) throw new InputError(`${err.message}; the counterexample reported above was not saved`, err.file, err.where);
        throw err;
      }
    });
}
