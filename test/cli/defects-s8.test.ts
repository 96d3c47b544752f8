// CLI defects a newcomer met in session 8, each fixed in kind (every place the same mistake
// could happen) and pinned here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { episodesArb, episodesToTimeline, resolveFaultGen } from '../../sim/fuzz/arbitraries.ts';
import { getProtocol } from '../../sim/protocols/registry.ts';
import { roleNames, triggerNames } from '../../sim/scenario/faults.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';

/** A scenario document through every check `faultline run` makes before it runs (schema, config, fault targets). */
const checked = (doc: unknown): unknown => prepareRun(parseScenario(doc));
import { buildProgram } from '../../sim/cli/main.ts';
import { parseDurationOption } from '../../sim/cli/options.ts';
import { durationText } from '../../sim/api/durations.ts';
import { describeFault } from '../../sim/cli/fault-text.ts';
import { clip, firstSentence, formatScenarioLines } from '../../sim/cli/commands/list.ts';
import { scenarioList } from '../../sim/cli/scenario-list.ts';
import { describeFault as fuzzDescribeFault } from '../../sim/cli/commands/fuzz.ts';
import { inProcess } from '../cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-defects8-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

/** The arguments each command needs before its options are read (a command with a duration option must be here). */
const COMMAND_ARGS: Record<string, string[]> = { fuzz: ['pingpong', '--workers', '1'], bench: ['search'] };

describe('1. every duration option of every command needs a unit', () => {
  it('finds the duration options by their <duration> argument', async () => {
    const program = await buildProgram('all');
    const found = program.commands.flatMap((c) => c.options.filter((o) => /<duration>/.test(o.flags)).map((o) => `${c.name()} ${o.long ?? ''}`));
    // fuzz --duration and --time, bench --budget at least; each command with one is covered below.
    expect(found).toEqual(expect.arrayContaining(['fuzz --duration', 'fuzz --time', 'bench --budget']));
    for (const f of found) expect(Object.keys(COMMAND_ARGS)).toContain(f.split(' ')[0]);
  });

  it('a bare number is refused with one line naming the option and suggesting a unit (exit 2), for every one', async () => {
    const program = await buildProgram('all');
    const options = program.commands.flatMap((c) => c.options.filter((o) => /<duration>/.test(o.flags)).map((o) => [c.name(), o.long as string] as const));
    expect(options.length).toBeGreaterThanOrEqual(3);
    for (const [command, option] of options) {
      const r = await inProcess([command, ...(COMMAND_ARGS[command] ?? []), option, '10']);
      expect(r.code, `${command} ${option} 10`).toBe(2);
      expect(r.stderr.trim().split('\n'), `${command} ${option} 10`).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^faultline: ${option}: the duration has no unit: expected a duration such as 10\\w+ or 10\\w+ \\(got "10"\\)`));
    }
  });

  it.each([
    ['10s', {}, 10_000_000],
    ['1.5ms', {}, 1500],
    [' 250us ', {}, 250],
    ['2m', {}, 120_000_000],
    ['0', {}, 0],
  ] as const)('%j is %d µs', (text, opts, us) => {
    expect(parseDurationOption(text, '--x', opts)).toBe(us);
  });

  it.each([
    ['10', {}, /no unit: expected a duration such as 10s or 10ms/],
    ['1.5', { examples: ['60s', '5m'] as const }, /no unit: expected a duration such as 1.5s or 1.5m/],
    ['0', { positive: true }, /positive/],
    ['-1s', {}, /not negative/],
    ['1.5us', {}, /whole number of µs/],
    ['soon', {}, /expected a duration such as 10s or 10ms/],
    ['400000d', {}, /expected a duration/],
  ] as const)('%j is refused', (text, opts, message) => {
    expect(() => parseDurationOption(text, '--x', opts)).toThrow(message);
  });

  it('fuzz --duration with a unit still runs; 0 needs none', async () => {
    for (const d of ['200ms', '0']) {
      const r = await inProcess(['fuzz', 'pingpong', '--duration', d, '--runs', '1', '--workers', '1', '--seed', '1', '--json', '--out', dir]);
      expect(r.code, r.stderr).toBe(0);
    }
  });
});

describe('3. a block from a node to itself is bad input, as a slow one is', () => {
  const doc = (from: string, to: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ name: 'self', description: 'd', protocol: 'pingpong', duration: '1s', faults: { timeline: [{ at: '1ms', kind: 'block', id: 'b', from, to, ...extra }] } });

  it.each([
    ['n1', 'n1', 'faults.timeline[0].to: "n1" is the blocked node itself'],
    ['$b', '$b', 'faults.timeline[0].to: "$b" is the blocked node itself'],
  ])('run of a block %s -> %s: one line, exit 2', async (from, to, message) => {
    const f = file('self.json', doc(from, to));
    const r = await inProcess(['run', f]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it('another node, or roles that may resolve to two nodes, are accepted', () => {
    for (const [from, to] of [['n1', 'n2'], ['@any', '@any']] as const) expect(() => checked(JSON.parse(doc(from, to)) as unknown)).not.toThrow();
    // What the fuzz test below relies on: the checks refuse the self-block.
    expect(() => checked(JSON.parse(doc('n2', 'n2')) as unknown)).toThrow(/blocked node itself/);
  });

  it('the fuzz generator never draws one: plain and targeted blocks all pass the scenario checks', () => {
    const raft = getProtocol('raft');
    if (raft === undefined) throw new Error('raft is registered');
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
    for (const targeted of [false, true]) {
      const g = resolveFaultGen({ kinds: ['block'], maxFaults: 8, ...(targeted ? { roles: roleNames(raft), triggers: triggerNames(raft) } : {}) }, nodes, 5_000_000);
      let blocks = 0;
      for (const eps of fc.sample(episodesArb(g), { numRuns: 300, seed: 8 })) {
        const timeline = episodesToTimeline(eps, g);
        blocks += timeline.filter((f) => f.kind === 'block').length;
        expect(() => checked({ name: 'gen', description: 'd', protocol: 'raft', config: { servers: 5 }, duration: '5s', faults: { timeline } })).not.toThrow();
      }
      expect(blocks).toBeGreaterThan(300);
    }
  });
});

describe('2. config errors about a duration print it as the user writes it, never raw µs', () => {
  it.each([
    [250, '250us'],
    [5000, '5ms'],
    [1500, '1.5ms'],
    [1_500_000, '1.5s'],
    [1_234_567, '1234.567ms'],
    [60_000_000, '60s'],
    [-5000, '-5ms'],
  ])('durationText(%d) is %s', (us, text) => expect(durationText(us)).toBe(text));

  // Every cross-field config rule about durations, each broken with durations written with units.
  it.each([
    ['redlock', { ttl: '100ms', requestTimeout: '99ms' }, 'config.requestTimeout', ['3ms', '97ms', 'requestTimeout is 99ms', 'ttl 100ms']],
    ['raft', { heartbeat: '200ms', electionTimeout: { min: '150ms', max: '300ms' } }, 'config.electionTimeout.min', ['150ms', '200ms']],
    ['counter', { gossipInterval: '1.5s', settle: '2s' }, 'config.settle', ['6s', 'got 2s']],
    ['counter', { design: 'raft', raft: { heartbeat: '400ms' } }, 'config.raft.electionTimeout.min', ['150ms', '400ms']],
    ['mapreduce', { heartbeat: '100ms', workerTimeout: '150ms' }, 'config.workerTimeout', ['200ms', 'got 150ms']],
    ['mergesort', { taskTimeout: '250ms' }, 'config.taskTimeout', ['300ms', 'got 250ms']],
    ['zookeeper', { requestTimeout: '10ms', heartbeat: '20ms' }, 'config.requestTimeout', ['10ms', '20ms']],
  ])('%s %j: %s', (protocol, config, where, texts) => {
    let message = '';
    try {
      checked({ name: 'x', description: 'd', protocol, config, duration: '1s' });
    } catch (err) {
      message = err instanceof Error && 'describe' in err ? (err as { describe(): string }).describe() : String(err);
    }
    expect(message).toContain(where);
    for (const t of texts) expect(message).toContain(t);
    expect(message).not.toMatch(/\d\s?µs/);
  });
});

describe('4. what replay says about a trace is true', () => {
  const record = async (): Promise<string> => {
    const trace = join(dir, 'rec.jsonl');
    const r = await inProcess(['run', 'raft-leader-crash', '--trace', trace]);
    expect(r.code, r.stderr).toBe(0);
    return readFileSync(trace, 'utf8');
  };

  it('a truncated trace (cut mid-line, or at a line end without its end line): nothing replayed, and it says so', async () => {
    const text = await record();
    const lines = text.split('\n');
    for (const cut of [lines.slice(0, 5).join('\n').slice(0, -20), `${lines.slice(0, 5).join('\n')}\n`]) {
      const r = await inProcess(['replay', file('cut.jsonl', cut)]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/the trace is truncated: (it has no end line|line \d+ is cut off mid-line and there is no end line)/);
      expect(r.stderr).toContain('nothing was replayed');
      expect(r.stderr).not.toMatch(/showing/);
    }
  });

  it('a replay that stops at the first difference says how many events it replayed of how many recorded', async () => {
    const text = await record();
    const recorded = text.trim().split('\n').length - 2;
    const same = await inProcess(['replay', file('same.jsonl', text)]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`, ${recorded} events replayed\n`);
    // Event 40 changed: the replay differs there and stops soon after.
    const lines = text.split('\n');
    lines[41] = (lines[41] as string).replace(/"t":(\d+)/, (_m, t: string) => `"t":${Number(t) + 1}`);
    const r = await inProcess(['replay', file('diff.jsonl', lines.join('\n'))]);
    expect(r.code).toBe(1);
    const m = /, (\d+) events replayed of the (\d+) recorded\n/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m?.[2])).toBe(recorded);
    expect(Number(m?.[1])).toBeLessThan(recorded);
  });
});

describe('5. faults print readably, the same in every command', () => {
  it.each([
    [{ at: 1_000_000, kind: 'partition', groups: [['n1', 'n2'], ['n3']] }, 'partition {n1,n2} | {n3} @1s'],
    [{ at: 0, kind: 'partition', groups: [['n1'], ['n2'], ['n3', 'n4']] }, 'partition {n1} | {n2} | {n3,n4} @0us'],
    [{ at: 2_000, kind: 'partition', split: 'minority-with', around: '@leader' }, 'partition minority-with @leader @2ms'],
    [{ at: 5_000, kind: 'block', from: 'n1', to: 'n2' }, 'block n1 -/-> n2 @5ms'],
    [{ at: 1_000_001, kind: 'clock', node: 'n2', offset: -5000, drift: 0.001 }, 'clock n2 offset -5ms drift 0.001 @1000.001ms'],
    [{ at: 0, kind: 'crash', node: '@leader', on: { event: 'commit', node: ['n1'] } }, 'crash @leader on commit of {n1}'],
  ])('%j reads %s', (fault, text) => {
    expect(describeFault(fault)).toBe(text);
    expect(describeFault(fault)).not.toMatch(/[[\]"]/);
  });

  it('the fuzz summary prints faults through the same function', () => {
    expect(fuzzDescribeFault).toBe(describeFault);
  });
});

describe('6. faultline list: one line per scenario; the full text on request', () => {
  it('first sentence, clipped', () => {
    expect(firstSentence('Found by fuzzing: links 21x slower for 3.5 s. Then more.  And more.')).toBe('Found by fuzzing: links 21x slower for 3.5 s.');
    expect(firstSentence('No period at all')).toBe('No period at all');
    expect(firstSentence('Spans\n  two lines. Second.')).toBe('Spans two lines.');
    expect(clip('abcdefghijklmnopqrstuvwxyz', 15)).toBe('abcdefghijkl...');
    expect(clip('short', 15)).toBe('short');
  });

  it('every built-in scenario on one line that fits the width, a terminal\'s or 100 characters of description', async () => {
    const { scenarios } = await scenarioList();
    expect(scenarios.some((s) => s.description.length > 200)).toBe(true); // the floods this fixes
    for (const line of formatScenarioLines(scenarios, { line: 80 })) expect(line.length).toBeLessThanOrEqual(80);
    const lines = formatScenarioLines(scenarios, { description: 100 });
    expect(lines).toHaveLength(scenarios.length);
    for (const l of lines) expect(l.slice((/^\S+ +\S+ +/.exec(l)?.[0] ?? '').length).length).toBeLessThanOrEqual(100);
    const verbose = formatScenarioLines(scenarios, { line: 80 }, true);
    verbose.forEach((l, i) => expect(l).toContain(scenarios[i]!.description.replace(/\s+/g, ' ').trim()));
  });

  it('the command: one line each piped; --verbose and list <scenario> give the full text; list <protocol> filters', async () => {
    const { scenarios } = await scenarioList();
    const long = scenarios.find((s) => s.description.length > 300)!;
    const r = await inProcess(['list']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n\n')[0]!.split('\n');
    expect(rows).toHaveLength(scenarios.length);
    expect(r.stdout).not.toContain(long.description);
    expect((await inProcess(['list', '--verbose'])).stdout).toContain(long.description.replace(/\s+/g, ' ').trim());
    const one = await inProcess(['list', long.name]);
    expect(one.stdout).toContain(`description  ${long.description.replace(/\s+/g, ' ').trim()}`);
    expect(one.stdout).toContain(`run          faultline run ${long.name}`);
    const raft = await inProcess(['list', 'raft']);
    const raftRows = raft.stdout.trim().split('\n').filter((l) => !l.startsWith('('));
    expect(raftRows.length).toBe(scenarios.filter((s) => s.protocol === 'raft').length);
    for (const l of raftRows) expect(l).toMatch(/^\S+ +raft /);
    const bad = await inProcess(['list', 'rafr']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('faultline: rafr: no protocol or built-in scenario of that name; did you mean "raft"? (faultline list shows them all)\n');
  });
});

describe('7. faultline run <protocol> hints the protocol\'s scenarios', () => {
  it.each([
    ['raft', /"raft" is a protocol: did you mean scenarios\/raft-leader-crash\.ts\? faultline list raft lists its built-in scenarios/],
    ['saga', /"saga" is a protocol: did you mean scenarios\/saga-happy\.ts\? faultline list saga/],
    ['raft-leadr-crash', /did you mean raft-leader-crash\?/],
  ])('run %s', async (ref, message) => {
    const r = await inProcess(['run', ref]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});

describe('2b. scenario warnings print times exactly, as the file may write them', () => {
  it('a fault 1 µs after the end reads so, not rounded to the end itself', async () => {
    const { scenarioWarnings } = await import('../../sim/scenario/checks.ts');
    const s = parseScenario({ name: 'w', description: 'd', protocol: 'pingpong', duration: '1s', faults: { timeline: [{ at: 1_000_001, kind: 'heal' }] } });
    expect(scenarioWarnings(s)[0]?.message).toBe('this heal at 1000.001ms is after the run ends (duration 1s), so it never happens');
  });
});
