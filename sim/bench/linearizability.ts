// Linearizability checker benchmark, per family of histories:
//   etcd      the 12 Jepsen etcd logs (testdata/linearizability/etcd), register model
//   kv        Porcupine's 4 key-value histories (1 and 10 clients)
//   kv-c50    the 50-client stale-read history (testdata/linearizability/kv-large)
//   gen-c50   generated 50-client kv histories, 2,000 ops, 10 keys: linearizable, and
//             with a stale read / phantom read / lost write (generate.ts), 2 seeds
//   gen-c100  generated 100-client kv histories, 10,000 ops, 20 keys, the same kinds, 1 seed
//   gen-c100-100k  generated 100-client kv histories, 100,000 ops, 100 keys, the same kinds, 1 seed
// Options: --runs N (median of N timed runs of Faultline per history, default 3),
// --baseline-steps N (the baseline's budget per history, default 100,000),
// --families etcd,kv,kv-c50,gen-c50,gen-c100,gen-c100-100k (default all), --json.
// The file families read testdata/linearizability/ of the checkout (not packaged: from an
// installed package only the generated families run).
//
// Output: one line per history as soon as it is measured, and one summary line per family,
// on stderr (so `--json` keeps stdout to one JSON line); then the figures. Per history:
// Faultline's wall and CPU time (process.cpuUsage) of reading the history (text -> operations;
// for generated histories, events -> operations) and of the check (verdict only, no
// explanation), medians of --runs runs; the baseline's wall and CPU time of one run, or
// "gave up after N steps, >= T ms" when it did not decide within its budget (T then bounds
// its time from below, and the ratio too). `--json` keeps every history's figures
// (`histories`); the human output leaves them out (they were streamed).
//
// Baseline, in the same process: a Porcupine-style checker written here after
// Porcupine's checkSingle (Athalye): Wing & Gong's list search with Lowe's cache of
// (linearized bitset, state), per partition, calls tried in list order, unknown outcomes
// given a return at the end of the history (so they must be linearized; an unknown cas
// may "fail" in any state), no partial-order reduction. Its budget is in steps per history
// (deterministic): the default 100,000 keeps the whole default bench to a few minutes of CPU
// on a quiet 2-core machine (a baseline step costs 1 to 40 us there: its cache buckets grow
// with the orders of concurrent appends; most generated histories exhaust the budget).
//
// Floors (issue 13): every history gets its verdict; none above 1 s (read + check, CPU
// time: wall time on a shared machine swings with the load); the etcd set in well under
// 1 s; each 50-client kv history under 1 s.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../scenario/errors.ts';
import {
  checkOperations,
  generateHistory,
  historyToOperations,
  models,
  parseEdn,
  parseEtcd,
  partitionOperations,
  type Corruption,
  type Model,
  type Operation,
} from '../check/linearizability/index.ts';
import type { JsonValue } from '../engine/types.ts';
import { positiveInt, type BenchCase, type BenchOptions } from './case.ts';
import { getOrFail } from '../engine/assert.ts';

/**
 * testdata/linearizability/ of the checkout: next to sim/ when running from the sources
 * (sim/bench/), one folder further up when built (dist/sim/bench/). An installed package
 * has no testdata: then an InputError (one line, exit 2) says to run from a checkout.
 */
function dataDir(): string {
  for (const up of ['../../testdata/linearizability/', '../../../testdata/linearizability/']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(`${dir}README.md`)) return dir;
  }
  throw new InputError(
    'bench linearizability: the histories of testdata/linearizability/ are not in this installation (they are not packaged); run it from a checkout of the repository, or only the generated families: --families gen-c50,gen-c100,gen-c100-100k',
  );
}

/** Every family, in the order they run. */
export const LINEARIZABILITY_FAMILIES = ['etcd', 'kv', 'kv-c50', 'gen-c50', 'gen-c100', 'gen-c100-100k'] as const;

/** The families read from testdata/linearizability/ (the others are generated). */
const FILE_FAMILIES = ['etcd', 'kv', 'kv-c50'];

function hasDataDir(): boolean {
  try {
    dataDir();
    return true;
  } catch {
    return false;
  }
}

/**
 * One history of the bench. `prepare` loads its source (file text, generated events: not
 * timed) just before it is measured, so only one history at a time is in memory (as in a
 * process checking one file); the `read` it returns turns that source into operations (timed).
 */
interface Item {
  family: string;
  name: string;
  prepare: () => { read: () => Operation[]; expected: boolean };
  model: Model<JsonValue>;
}

/** The histories of one file family (etcd, kv, kv-c50). */
function loadFiles(family: string): Item[] {
  const DATA = dataDir();
  const read = (sub: string) => readdirSync(DATA + sub).sort().map((f) => ({ f, text: readFileSync(`${DATA}${sub}/${f}`, 'utf8') }));
  if (family === 'etcd') {
    const readme = readFileSync(`${DATA}README.md`, 'utf8');
    const etcdOk = new Set((/Expected: linearizable\s*[—-]+\s*([\d,\s]+);/.exec(readme)?.[1] ?? '').split(',').map((s) => `etcd_${s.trim()}.log`));
    return read('etcd').map(({ f, text }) => ({ family, name: f, prepare: () => ({ read: () => historyToOperations(parseEtcd(text, f).history), expected: etcdOk.has(f) }), model: models.register }));
  }
  if (family === 'kv') return read('kv').map(({ f, text }) => ({ family, name: f, prepare: () => ({ read: () => historyToOperations(parseEdn(text, f).history), expected: f.endsWith('-ok.txt') }), model: models.kv }));
  return read('kv-large').map(({ f, text }) => ({ family, name: f, prepare: () => ({ read: () => historyToOperations(parseEdn(text, f).history), expected: !/stale|bad/.test(f) }), model: models.kv }));
}

/** Sizes of the generated families: clients, operations, keys, seeds. */
const GENERATED: Record<string, [number, number, number, number[]]> = {
  'gen-c50': [50, 2_000, 10, [1, 2]],
  'gen-c100': [100, 10_000, 20, [1]],
  'gen-c100-100k': [100, 100_000, 100, [1]],
};

function generated(family: string): Item[] {
  const [clients, ops, keys, seeds] = GENERATED[family]!;
  const kinds: Corruption[] = ['none', 'stale-read', 'phantom-read', 'lost-write'];
  return seeds.flatMap((seed) =>
    kinds.map((corrupt) => ({
      family,
      name: `seed ${seed} ${corrupt}`,
      prepare: () => {
        const g = generateHistory({ clients, ops, model: 'kv', keys, seed, corrupt });
        return { read: () => historyToOperations(g.history), expected: g.linearizable };
      },
      model: models.kv,
    })),
  );
}

// ---------------------------------------------------------------- Porcupine-style baseline

/** Porcupine's reading of unknown outcomes: a return at the end, must be linearized; an unknown cas is legal in any state. */
function porcupineOps(ops: readonly Operation[], model: Model<JsonValue>): { ops: Operation[]; model: Model<JsonValue> } {
  const end = Math.max(0, ...ops.map((o) => (o.ret === Infinity ? o.call : o.ret))) + 1;
  const wasUnknown = new Set<number>();
  const out = ops.map((o) => {
    if (o.outcome !== 'unknown' || model.ignore?.(o)) return o;
    wasUnknown.add(o.id);
    return { ...o, outcome: 'ok' as const, ret: end + o.id };
  });
  const base = model;
  return {
    ops: out,
    model: { ...base, step: (state, op) => (wasUnknown.has(op.id) && op.f === 'cas' ? base.step(state, op) ?? state : base.step(state, op)) },
  };
}

interface PEntry {
  id: number;
  call: boolean;
  pos: number;
  match: PEntry | null;
  prev: PEntry | null;
  next: PEntry | null;
}

/** Porcupine's checkSingle on one partition: true, false, or undefined when `cap` steps ran out. */
function porcupineSingle(ops: readonly Operation[], model: Model<JsonValue>, init: JsonValue, cap: number): { ok: boolean | undefined; steps: number } {
  const evs: { pos: number; call: boolean; id: number }[] = [];
  ops.forEach((o, id) => {
    evs.push({ pos: o.call, call: true, id }, { pos: o.ret, call: false, id });
  });
  evs.sort((a, b) => a.pos - b.pos || (a.call === b.call ? a.id - b.id : a.call ? -1 : 1));
  const head: PEntry = { id: -1, call: false, pos: -1, match: null, prev: null, next: null };
  let tail = head;
  const returns = new Map<number, PEntry>();
  for (const e of evs) {
    const n: PEntry = { id: e.id, call: e.call, pos: e.pos, match: null, prev: tail, next: null };
    tail.next = n;
    tail = n;
    if (!e.call) returns.set(e.id, n);
  }
  for (let e = head.next; e; e = e.next) if (e.call) e.match = getOrFail(returns, e.id, 'return entry of a call');
  const lift = (e: PEntry) => {
    e.prev!.next = e.next;
    if (e.next) e.next.prev = e.prev;
    const m = e.match!;
    m.prev!.next = m.next;
    if (m.next) m.next.prev = m.prev;
  };
  const unlift = (e: PEntry) => {
    const m = e.match!;
    m.prev!.next = m;
    if (m.next) m.next.prev = m;
    e.prev!.next = e;
    if (e.next) e.next.prev = e;
  };
  const words = Math.ceil(ops.length / 32) || 1;
  const linearized = new Uint32Array(words);
  const hashOf = (bits: Uint32Array) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i]!, 0x01000193);
    return h;
  };
  const sameBits = (a: Uint32Array, b: Uint32Array): boolean => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  };
  const cache = new Map<number, { bits: Uint32Array; state: JsonValue }[]>();
  const calls: { entry: PEntry; state: JsonValue }[] = [];
  let state = init;
  let steps = 0;
  let entry = head.next;
  while (head.next !== null) {
    if (steps >= cap) return { ok: undefined, steps };
    if (entry!.call) {
      steps++;
      const next = model.step(state, ops[entry!.id]!);
      if (next !== undefined) {
        linearized[entry!.id >>> 5]! |= 1 << (entry!.id & 31);
        const h = hashOf(linearized);
        const bucket = cache.get(h) ?? [];
        if (!bucket.some((c) => sameBits(c.bits, linearized) && model.equal(c.state, next))) {
          bucket.push({ bits: linearized.slice(), state: next });
          cache.set(h, bucket);
          calls.push({ entry: entry!, state });
          state = next;
          lift(entry!);
          entry = head.next;
          continue;
        }
        linearized[entry!.id >>> 5]! &= ~(1 << (entry!.id & 31));
      }
      entry = entry!.next;
    } else {
      const top = calls.pop();
      if (top === undefined) return { ok: false, steps };
      entry = top.entry;
      state = top.state;
      linearized[entry.id >>> 5]! &= ~(1 << (entry.id & 31));
      unlift(entry);
      entry = entry.next;
    }
  }
  return { ok: true, steps };
}

/** Porcupine-style check of a whole history: partitions in order, stopping at the first failure. */
function porcupineCheck(items: readonly Operation[], itemModel: Model<JsonValue>, cap: number): { ok: boolean | undefined; steps: number } {
  const { ops, model } = porcupineOps(items, itemModel);
  const relevant = model.ignore ? ops.filter((o) => !model.ignore!(o)) : ops;
  let steps = 0;
  let undecided = false;
  for (const [key, part] of partitionOperations(relevant, model)) {
    const r = porcupineSingle(part, model, model.initFor ? model.initFor(key) : model.init(), cap - steps);
    steps += r.steps;
    if (r.ok === false) return { ok: false, steps };
    if (r.ok === undefined) undecided = true;
    if (steps >= cap) return { ok: undefined, steps };
  }
  return { ok: undecided ? undefined : true, steps };
}

// ---------------------------------------------------------------- timing

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall and CPU ms of one call of fn (CPU: user + system time of this process). */
function timeOnce<T>(fn: () => T): { value: T; ms: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, ms, cpuMs: (c.user + c.system) / 1000 };
}

const r1 = (x: number): number => +x.toFixed(1);
const r2 = (x: number): number => +x.toFixed(2);

/** One history's figures (the `histories` entries of `--json`). Times in ms. */
export interface HistoryFigures {
  family: string;
  name: string;
  operations: number;
  expected: 'linearizable' | 'not-linearizable';
  verdict: 'linearizable' | 'not-linearizable' | 'unknown';
  right: boolean;
  /** Medians over the runs: reading (source -> operations), checking, and both. */
  faultline: { read_ms: number; read_cpu_ms: number; check_ms: number; check_cpu_ms: number; ms: number; cpu_ms: number; steps: number };
  /** One run. `gave_up`: not decided within `steps` (its times are then lower bounds). */
  baseline: { verdict: 'linearizable' | 'not-linearizable' | 'gave up'; right: boolean | null; steps: number; ms: number; cpu_ms: number; gave_up: boolean };
  /** Baseline CPU / Faultline CPU (check only, on the same operations); a lower bound when the baseline gave up. */
  speedup_cpu: number;
  speedup_at_least: boolean;
}

/** A family's summary (the `families` entries). Times in ms. */
export interface FamilyFigures {
  histories: number;
  operations: number;
  right: number;
  faultline_cpu_ms: number;
  faultline_ms: number;
  faultline_steps: number;
  /** Sum of the check-only CPU medians (what the speed-up is computed on; faultline_cpu_ms adds reading). */
  faultline_check_cpu_ms: number;
  slowest: { name: string; cpu_ms: number; ms: number };
  baseline_cpu_ms: number;
  baseline_ms: number;
  baseline_steps: number;
  baseline_gave_up: number;
  /** Summed baseline CPU / summed Faultline check CPU; a lower bound when the baseline gave up on any. */
  speedup_cpu: number;
  speedup_at_least: boolean;
}

/** One line for a history, as printed while the bench runs. */
export function historyLine(h: HistoryFigures): string {
  const f = h.faultline;
  const b = h.baseline;
  const base = b.gave_up
    ? `baseline gave up after ${b.steps} steps, >= ${b.cpu_ms.toFixed(1)} ms CPU (>= ${b.ms.toFixed(1)} ms wall)`
    : `baseline ${b.verdict}${b.right === false ? ' (WRONG)' : ''} in ${b.cpu_ms.toFixed(1)} ms CPU, ${b.ms.toFixed(1)} ms wall, ${b.steps} steps`;
  return `${h.family} ${h.name} (${h.operations} ops): ${h.verdict}${h.right ? '' : ` (WRONG: expected ${h.expected})`}; faultline ${f.cpu_ms.toFixed(1)} ms CPU, ${f.ms.toFixed(1)} ms wall (read ${f.read_cpu_ms.toFixed(1)} + check ${f.check_cpu_ms.toFixed(1)} ms CPU), ${f.steps} steps; ${base}; speed-up ${h.speedup_at_least ? '>= ' : ''}${h.speedup_cpu}x CPU (check ${f.check_cpu_ms.toFixed(1)} ms against the baseline's)`;
}

/** One summary line for a family. */
export function familyLine(name: string, f: FamilyFigures): string {
  return `${name}: ${f.right}/${f.histories} verdicts right, ${f.operations} ops; faultline ${f.faultline_cpu_ms.toFixed(1)} ms CPU, ${f.faultline_ms.toFixed(1)} ms wall in all, slowest ${f.slowest.name} ${f.slowest.cpu_ms.toFixed(1)} ms CPU (${f.slowest.ms.toFixed(1)} ms wall); baseline ${f.baseline_cpu_ms.toFixed(1)} ms CPU${f.baseline_gave_up > 0 ? `, gave up on ${f.baseline_gave_up} of ${f.histories}` : ''}; speed-up ${f.speedup_at_least ? '>= ' : ''}${f.speedup_cpu}x CPU (check only: faultline ${f.faultline_check_cpu_ms.toFixed(1)} ms against the baseline's ${f.baseline_cpu_ms.toFixed(1)} ms; the totals above include reading)`;
}

/** Measure one history: Faultline `runs` times (read + check), the baseline once. */
function measure(item: Item, runs: number, cap: number): HistoryFigures {
  const it = { ...item, ...item.prepare() };
  const read: { ms: number; cpuMs: number }[] = [];
  const check: { ms: number; cpuMs: number }[] = [];
  let ops: Operation[] = [];
  let result!: ReturnType<typeof checkOperations>;
  for (let i = 0; i < runs; i++) {
    const r = timeOnce(it.read);
    ops = r.value;
    const c = timeOnce(() => checkOperations(ops, it.model, { coreSteps: 0 }));
    result = c.value;
    read.push(r);
    check.push(c);
  }
  const med = (xs: { ms: number; cpuMs: number }[], k: 'ms' | 'cpuMs') => median(xs.map((x) => x[k]));
  const both = read.map((r, i) => ({ ms: r.ms + check[i]!.ms, cpuMs: r.cpuMs + check[i]!.cpuMs }));
  const b = timeOnce(() => porcupineCheck(ops, it.model, cap));
  const gaveUp = b.value.ok === undefined;
  const checkCpu = med(check, 'cpuMs');
  return {
    family: it.family,
    name: it.name,
    operations: ops.length,
    expected: it.expected ? 'linearizable' : 'not-linearizable',
    verdict: result.verdict,
    right: result.verdict === (it.expected ? 'linearizable' : 'not-linearizable'),
    faultline: { read_ms: r2(med(read, 'ms')), read_cpu_ms: r2(med(read, 'cpuMs')), check_ms: r2(med(check, 'ms')), check_cpu_ms: r2(checkCpu), ms: r2(med(both, 'ms')), cpu_ms: r2(med(both, 'cpuMs')), steps: result.steps },
    baseline: { verdict: gaveUp ? 'gave up' : b.value.ok ? 'linearizable' : 'not-linearizable', right: gaveUp ? null : b.value.ok === it.expected, steps: b.value.steps, ms: r2(b.ms), cpu_ms: r2(b.cpuMs), gave_up: gaveUp },
    speedup_cpu: r1(b.cpuMs / Math.max(0.01, checkCpu)),
    speedup_at_least: gaveUp,
  };
}

function summarise(hs: readonly HistoryFigures[]): FamilyFigures {
  const sum = (f: (h: HistoryFigures) => number) => hs.reduce((n, h) => n + f(h), 0);
  const slowest = hs.reduce((a, h) => (h.faultline.cpu_ms > a.faultline.cpu_ms ? h : a), hs[0]!);
  const checkCpu = sum((h) => h.faultline.check_cpu_ms);
  const baseCpu = sum((h) => h.baseline.cpu_ms);
  const gaveUp = hs.filter((h) => h.baseline.gave_up).length;
  return {
    histories: hs.length,
    operations: sum((h) => h.operations),
    right: hs.filter((h) => h.right).length,
    faultline_cpu_ms: r1(sum((h) => h.faultline.cpu_ms)),
    faultline_ms: r1(sum((h) => h.faultline.ms)),
    faultline_steps: sum((h) => h.faultline.steps),
    faultline_check_cpu_ms: r1(checkCpu),
    slowest: { name: slowest.name, cpu_ms: slowest.faultline.cpu_ms, ms: slowest.faultline.ms },
    baseline_cpu_ms: r1(baseCpu),
    baseline_ms: r1(sum((h) => h.baseline.ms)),
    baseline_steps: sum((h) => h.baseline.steps),
    baseline_gave_up: gaveUp,
    speedup_cpu: r1(baseCpu / Math.max(0.01, checkCpu)),
    speedup_at_least: gaveUp > 0,
  };
}

/**
 * The benchmark, writing one line per history and per family to `log` as it goes (the CLI
 * passes stderr). Options: runs, baselineSteps, families (comma-separated), json (keep
 * every history's figures in the result). Throws RangeError on a bad option.
 */
export function runLinearizabilityBench(opts: BenchOptions, log: (line: string) => void): Record<string, unknown> {
  const runs = positiveInt(opts.runs, 'runs', 3);
  const cap = positiveInt(opts.baselineSteps, 'baseline-steps', 100_000);
  const all: readonly string[] = LINEARIZABILITY_FAMILIES;
  let wanted = typeof opts.families === 'string' ? opts.families.split(',').map((f) => f.trim()) : [...all];
  for (const f of wanted) if (!all.includes(f)) throw new RangeError(`--families: expected a comma-separated list of ${all.join(', ')} (got ${JSON.stringify(f)})`);
  // By default (bench all from an installed package, which has no testdata): skip the file families, saying so in one line.
  if (typeof opts.families !== 'string' && !hasDataDir()) {
    wanted = wanted.filter((f) => !FILE_FAMILIES.includes(f));
    log(`bench linearizability: skipping the file families ${FILE_FAMILIES.join(', ')}: testdata/linearizability/ is not in this installation (run from a checkout to include them)`);
  }
  const families = all.filter((f) => wanted.includes(f));
  const load = (family: string): Item[] => (FILE_FAMILIES.includes(family) ? loadFiles(family) : generated(family));
  // Warm up the JIT on the etcd set when it runs (else on the first history) before timing anything.
  const warm = families.includes('etcd') ? load('etcd') : load(families[0]!).slice(0, 1);
  for (const it of warm) checkOperations(it.prepare().read(), it.model, { coreSteps: 0 });
  log(`bench linearizability: families ${families.join(', ')}; faultline: median of ${runs} run(s) per history; baseline: one run, at most ${cap} steps per history`);
  const histories: HistoryFigures[] = [];
  const summaries: Record<string, FamilyFigures> = {};
  for (const family of families) {
    const set = load(family);
    const hs: HistoryFigures[] = [];
    for (const it of set) {
      const h = measure(it, runs, cap);
      hs.push(h);
      log(historyLine(h));
    }
    histories.push(...hs);
    summaries[family] = summarise(hs);
    log(familyLine(family, summaries[family]));
  }
  const worst = histories.reduce<HistoryFigures | undefined>((a, h) => (a === undefined || h.faultline.cpu_ms > a.faultline.cpu_ms ? h : a), undefined);
  const wrong = histories.filter((h) => !h.right).map((h) => `${h.family} ${h.name}: ${h.verdict}`);
  const baseWrong = histories.filter((h) => h.baseline.right === false).map((h) => `${h.family} ${h.name}`);
  const etcd = summaries.etcd;
  const out: Record<string, unknown> = {
    families: summaries,
    floors: {
      every_verdict_right: wrong.length === 0 ? 'met' : `MISSED: ${wrong.join('; ')}`,
      no_history_above_1s: worst === undefined || worst.faultline.cpu_ms < 1000 ? 'met (CPU time, read + check)' : `MISSED (${worst.family} ${worst.name}: ${worst.faultline.cpu_ms.toFixed(0)} ms CPU)`,
      etcd_set_well_under_1s: etcd === undefined ? 'not run' : etcd.faultline_cpu_ms < 250 ? 'met (CPU time)' : `MISSED (${etcd.faultline_ms} ms wall, ${etcd.faultline_cpu_ms} ms CPU)`,
      slowest: worst === undefined ? 'none' : `${worst.family} ${worst.name}: ${worst.faultline.cpu_ms.toFixed(1)} ms CPU, ${worst.faultline.ms.toFixed(1)} ms wall`,
    },
    baseline_right: baseWrong.length === 0 ? 'yes (where it decided)' : `NO: ${baseWrong.join('; ')}`,
    runs,
    baseline_steps: cap,
  };
  if (opts.json) out.histories = histories;
  return out;
}

export const linearizabilityBench: BenchCase = {
  name: 'linearizability',
  description:
    'etcd, kv, the 50-client stale-read kv history and generated 50/100-client kv histories (good and bad): Faultline vs a Porcupine-style checker in the same process, one line per history on stderr as it goes (floors: every verdict right, no history above 1 s)',
  run(opts) {
    return runLinearizabilityBench(opts, (line) => process.stderr.write(`${line}\n`));
  },
};
