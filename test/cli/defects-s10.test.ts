// Defects a newcomer found in session 10 (docs/fuzz-at-scale.md, fuzz-report merge, built-in
// scenarios), each tested for its whole kind.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadAllScenarios, loadScenario } from '../../sim/cli/scenarios.ts';
import { SimDisk } from '../../sim/engine/disk.ts';
import { MemorySink } from '../../sim/engine/trace.ts';
import { missingShardsMessage, readFuzzReport, type FuzzJsonReport } from '../../sim/fuzz/merge.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { inProcess } from '../cli-harness.ts';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-defects-s10-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

const report = (over: Partial<FuzzJsonReport>): FuzzJsonReport =>
  readFuzzReport({ runs: 0, violations: 0, failures: [], scenario: 's', protocol: 'p', seed: 1, strategy: 'guided', batch_size: 10, shard: '1/2', workload: 'none', states: 0, coverage: [], batches: [], ...over }, 'x.json');

/** Write one shard report per entry; return the file names. */
function shards(name: string, reports: Partial<FuzzJsonReport>[]): string[] {
  return reports.map((r, i) => {
    const file = join(tmp, `${name}-${i}.json`);
    writeFileSync(file, JSON.stringify(report(r)));
    return file;
  });
}

describe('fuzz-report merge: an incomplete campaign is not a green one', () => {
  it.each([
    { missing: ['2/2'], text: 'shard 2/2 is missing' },
    { missing: ['2/4', '3/4'], text: 'shards 2/4 and 3/4 are missing' },
    { missing: ['1/4', '2/4', '3/4'], text: 'shards 1/4, 2/4 and 3/4 are missing' },
  ])('names the missing shards in English: $text', ({ missing, text }) => {
    expect(missingShardsMessage(missing)).toBe(text);
  });

  const cases: { what: string; given: Partial<FuzzJsonReport>[]; allow: boolean; code: number; warns: string | undefined }[] = [
    { what: 'all shards, no violation', given: [{ shard: '1/2' }, { shard: '2/2' }], allow: false, code: 0, warns: undefined },
    { what: 'a shard missing', given: [{ shard: '1/2' }], allow: false, code: 3, warns: 'shard 2/2 is missing' },
    { what: 'two shards missing', given: [{ shard: '1/4' }, { shard: '4/4' }], allow: false, code: 3, warns: 'shards 2/4 and 3/4 are missing' },
    { what: 'a shard missing, --allow-partial', given: [{ shard: '1/2' }], allow: true, code: 0, warns: 'shard 2/2 is missing' },
    { what: 'a shard missing and a violation in another: the violation decides', given: [{ shard: '2/3', violations: 1, runs: 1, failures: [{ batch: 1, run: 0, seed: 5, invariant: 'x', replay: 'faultline run x.json' }] }], allow: false, code: 1, warns: 'shards 1/3 and 3/3 are missing' },
  ];

  it.each(cases)('$what: exit $code', async ({ given, allow, code, warns }) => {
    const files = shards(`c${code}-${given.length}-${String(allow)}`, given);
    const out = join(tmp, `merged-${code}-${given.length}-${String(allow)}.json`);
    const r = await inProcess(['fuzz-report', 'merge', ...files, '--out', out, ...(allow ? ['--allow-partial'] : [])]);
    expect(r.code).toBe(code);
    if (warns === undefined) expect(r.stderr).toBe('');
    else expect(r.stderr).toContain(warns);
    // The merged report is written either way, and says what it lacks.
    const merged = JSON.parse(readFileSync(out, 'utf8')) as { complete: boolean; missing: string[] };
    expect(merged.complete).toBe(warns === undefined);
  });

  it('the help and docs/fuzz-at-scale.md document the exit code and --allow-partial', async () => {
    const help = await inProcess(['fuzz-report', 'merge', '--help']);
    expect(help.stdout).toContain('--allow-partial');
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/else 3 if shards are missing/);
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'fuzz-at-scale.md'), 'utf8');
    expect(doc).toMatch(/exits 3 when shards are missing/);
    expect(doc).toContain('--allow-partial');
  });
});

describe('docs/fuzz-at-scale.md: the Kubernetes Job works as written', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'fuzz-at-scale.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Kubernetes'));
  const manifest = /```yaml\n(# fuzz-job\.yaml\n[\s\S]*?)```/.exec(section)?.[1] ?? '';
  /** `envsubst '$RUN_NUMBER'`: only that variable, in both its forms; everything else left as written. */
  const substitute = (text: string, run: string): string => text.replace(/\$\{RUN_NUMBER\}|\$RUN_NUMBER\b/g, run);
  /** The container's script: the folded scalar (`- >`) under `args:`, its lines joined by spaces as YAML folds them. */
  function script(yaml: string): string {
    const lines = yaml.split('\n');
    const at = lines.findIndex((l) => /^\s*- >\s*$/.test(l));
    expect(at).toBeGreaterThan(0);
    const indent = /^\s*/.exec(lines[at + 1] ?? '')?.[0].length ?? 0;
    const body: string[] = [];
    for (const l of lines.slice(at + 1)) {
      if ((/^\s*/.exec(l)?.[0].length ?? 0) < indent || l.trim() === '') break;
      body.push(l.trim());
    }
    return body.join(' ');
  }
  /** Run a shell script (sh -c, as the container does) with a stub npx exiting `fuzzExit`; its exit code. */
  async function runScript(text: string, fuzzExit: number): Promise<number> {
    const { spawnSync } = await import('node:child_process');
    const stub = `npx() { echo '{"runs":1}'; return ${fuzzExit}; }; `;
    return spawnSync('sh', ['-c', stub + text], { env: { ...process.env, JOB_COMPLETION_INDEX: '2' } }).status ?? -1;
  }

  it('says how ${RUN_NUMBER} is filled in, naming only that variable (a plain envsubst blanks $code)', () => {
    expect(manifest).toContain('${RUN_NUMBER}');
    expect(section).toContain("envsubst '$RUN_NUMBER' < fuzz-job.yaml | kubectl apply -f -");
    // After the documented substitution, nothing of RUN_NUMBER is left, and the script's own variables are intact.
    const applied = substitute(manifest, '42');
    expect(applied).not.toMatch(/RUN_NUMBER/);
    expect(script(applied)).toContain('code=$?; [ $code -le 1 ] || exit $code');
  });

  it('the script parses (sh -n) and maps a violation to a completed pod, other failures to a failed one, keeping each campaign apart', async () => {
    const { spawnSync } = await import('node:child_process');
    const results = mkdtempSync(join(tmp, 'results-'));
    const text = script(substitute(manifest, '42')).replaceAll('/results/', `${results}/`);
    expect(spawnSync('sh', ['-n', '-c', text]).status).toBe(0);
    expect(await runScript(text, 0)).toBe(0);
    expect(await runScript(text, 1)).toBe(0); // found a violation: the pod completes, the merge reports it
    expect(await runScript(text, 2)).toBe(2); // bad input or a crash: the pod fails (backoffLimit 0: not retried)
    // Shard 3 (index 2) wrote its report in the campaign's own folder, where the documented merge looks.
    expect(JSON.parse(readFileSync(join(results, '42', 'report-3.json'), 'utf8'))).toEqual({ runs: 1 });
    const merge = /npx faultline fuzz-report merge (\S+)/.exec(section)?.[1] ?? '';
    expect(merge).toBe('/results/$RUN_NUMBER/report-*.json');
    const listed = spawnSync('sh', ['-c', `ls ${substitute(merge, '42').replace('/results/', `${results}/`)}`], { encoding: 'utf8' });
    expect(listed.stdout.trim()).toBe(join(results, '42', 'report-3.json'));
    // Another campaign's pods write elsewhere.
    expect(await runScript(script(substitute(manifest, '43')).replaceAll('/results/', `${results}/`), 0)).toBe(0);
    expect(spawnSync('sh', ['-c', `ls ${results}/42`], { encoding: 'utf8' }).stdout.trim()).toBe('report-3.json');
  });

  it('the comment on backoffLimit does not contradict the script (a violation is not a failed pod)', () => {
    expect(manifest).not.toMatch(/exit 1 means "?found a violation"?: do not retry/);
    expect(manifest).toMatch(/maps it to 0/);
  });
});

describe('pingpong-every-fault exercises every fault it schedules', () => {
  type Ev = { t: number; type: string; from?: string; to?: string; node?: string; op?: string };
  it('each fault is followed, while it holds, by protocol traffic touching its target; no fault changes nothing', async () => {
    const { file, scenario } = await loadScenario('pingpong-every-fault', { quiet: true });
    const sink = new MemorySink();
    const result = runPrepared(prepareRun(scenario, { file }), { trace: sink });
    expect(result.warnings).toEqual([]);
    const events = sink.text().trimEnd().split('\n').slice(1, -1).map((l) => JSON.parse(l) as Ev);
    const traffic = events.filter((e) => e.type === 'send' || e.type === 'deliver' || e.type === 'drop');
    const timeline = scenario.faults.timeline.filter((f) => f.kind !== 'quiesce');
    const kinds = new Set(timeline.map((f) => f.kind));
    // The scenario's promise: one of each of these.
    expect([...kinds].sort()).toEqual(['block', 'clock', 'corrupt', 'crash', 'heal', 'isolate', 'loss', 'partition', 'pause', 'restart', 'resume']);
    const all = Array.from({ length: 4 }, (_, i) => `n${i + 1}`);
    for (const [i, f] of timeline.entries()) {
      const at = f.at as number;
      const until = (scenario.faults.timeline[scenario.faults.timeline.indexOf(f) + 1]?.at as number | undefined) ?? scenario.duration;
      const targets = 'node' in f && typeof f.node === 'string' ? [f.node] : 'from' in f ? [String(f.from)] : all;
      const touching = traffic.filter((e) => e.t >= at && e.t < Math.max(until, at + 1) && targets.some((n) => e.from === n || e.to === n));
      expect(touching.length, `fault ${i} (${f.kind} at ${at} µs): no traffic touching ${targets.join(',')} before ${until} µs`).toBeGreaterThan(0);
    }
    // The corrupt fault damaged a record, which the node found on its restart.
    const corrupt = timeline.find((f) => f.kind === 'corrupt')!;
    expect(events.some((e) => e.type === 'disk' && e.op === 'corrupt' && e.t === corrupt.at)).toBe(true);
    expect(sink.text()).toContain('failed its checksum');
  });

  it('a corrupt that finds no durable record says it changed nothing, as other no-op faults do', () => {
    const scenario = parseScenario({
      name: 'corrupt-nothing', description: 'a corrupt of a disk with nothing on it', protocol: 'pingpong', config: { nodes: 2, inFlight: 2 }, duration: '50ms',
      faults: { timeline: [{ at: '10ms', kind: 'corrupt', node: 'n1' }] },
    });
    const result = runPrepared(prepareRun(scenario), { hash: true });
    expect(result.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^corrupt of n1, whose disk has no durable record, changed nothing/)]);
  });

  it('corrupting a record twice leaves it corrupt (a second bit flip on the same bit used to restore it)', () => {
    const disk = new SimDisk();
    disk.put('k', 7);
    disk.fsync();
    for (let i = 1; i <= 3; i++) {
      expect(disk.corrupt('k')).toBe(true);
      expect(() => disk.get('k'), `after ${i} corruptions`).toThrow(/failed its checksum/);
    }
  });
});

describe('built-in scenarios judge the properties they are about', () => {
  /**
   * Scenarios allowed to end before some checker's judging point (a liveness checker after the
   * quiesce point, say): none now. Add one only with a reason; a new scenario that leaves a
   * checker unjudged fails the test.
   */
  const KNOWN_UNJUDGED: Record<string, string[]> = {};
  /** A checker the scenario is about: named in its name, description or expectation (a "-liveness" scenario is about every checker it runs). */
  const names = (text: string, checker: string): boolean => new RegExp(`(^|[^a-z-])${checker}($|[^a-z-])`).test(text);

  it('every checker a scenario names (name, description, expectation) is judged, and no other is left unjudged beyond the known list', async () => {
    const all = await loadAllScenarios();
    const unjudged: Record<string, string[]> = {};
    const problems: string[] = [];
    for (const { file, scenario } of all) {
      const run = prepareRun(scenario, { file });
      const result = runPrepared(run, { hash: true });
      if (result.notJudged.length === 0) continue;
      unjudged[scenario.name] = [...result.notJudged];
      const about = `${scenario.name} ${scenario.description} ${JSON.stringify(scenario.expect)}`;
      for (const c of result.notJudged) {
        if (names(about, c) || scenario.name.endsWith('-liveness')) {
          problems.push(`${scenario.name}: names ${c} but never judges it`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(unjudged).toEqual(KNOWN_UNJUDGED);
  }, 600_000);

  it('the headline scenarios of the report judge their liveness property', async () => {
    for (const [name, checker] of [['twopc-coordinator-crash', 'in-doubt-resolves'], ['twopc-cooperative-termination', 'in-doubt-resolves'], ['raft-slow-leader-liveness', 'ops-complete']] as const) {
      const { file, scenario } = await loadScenario(name, { quiet: true });
      const run = prepareRun(scenario, { file });
      expect(run.checkers.map((c) => c.name)).toContain(checker);
      const result = runPrepared(run, { hash: true });
      expect(result.violations, name).toEqual([]);
      expect(result.notJudged, name).toEqual([]);
    }
  }, 120_000);
});
