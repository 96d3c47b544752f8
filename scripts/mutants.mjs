#!/usr/bin/env node
// Outside-bug evaluation: apply one hand-written mutant (testdata/mutants/<p>/<name>.json) to a
// copy of the repository's sources and fuzz it as a user would, guided and random, reporting
// found/missed, runs and seconds to the first failure. Not part of `npm test` (minutes per mutant).
//
//   node scripts/mutants.mjs [--protocol raft|twopc|lock|counter] [--only a,b] [--time 20s | --runs N] [--seeds 1,2,3]
//                            [--strategies guided,random] [--workers 1] [--json]
//
// Each (mutant, seed, strategy) runs `node <tmp>/bin/faultline.js fuzz <p> --time T --seed S
// --strategy X --json --no-shrink --max-failures 1 --workers W` in a temp copy (sim/, scenarios/,
// bin/, package.json, tsconfig.json; no dist/, so bin/ runs the patched TypeScript through tsx)
// whose node_modules is a symlink to this repository's. Runs to the first failure are deterministic per
// seed with --workers 1 (batch * batch_size + run + 1); seconds are the campaign's wall time times
// that run's share of its runs (noisy under load; the machine's load average is printed beside).

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, realpathSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { applyMutant, loadMutants } from './mutants-lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Bad input: one line on stderr, exit 2, before any campaign starts (no stack trace). */
function usage(message) {
  console.error(`mutants: ${message}`);
  process.exit(2);
}
let o;
try {
  ({ values: o } = parseArgs({
    options: {
      protocol: { type: 'string' },
      only: { type: 'string' },
      time: { type: 'string', default: '20s' },
      runs: { type: 'string' },
      seeds: { type: 'string', default: '1' },
      strategies: { type: 'string', default: 'guided,random' },
      workers: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (err) {
  usage(err.message);
}
if (o.help) {
  // The usage text is this file's opening comment (lines 2-13), printed as it stands.
  const head = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 14);
  console.log(head.map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
// Validated here, not by each `faultline fuzz` campaign (which would print an ERROR per campaign and exit 0).
// A duration needs its unit, as `faultline fuzz --time` does (a bare number is refused there too).
if (!/^\d+(\.\d+)?(us|ms|s|m)$/.test(o.time.trim()) || Number.parseFloat(o.time) <= 0) usage(`--time: expected a positive duration with a unit (us, ms, s, m), e.g. 20s or 5m (got "${o.time}")`);
const positive = (text, option) => {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) usage(`${option}: expected an integer >= 1 (got "${text}")`);
  return Number(text);
};
if (o.runs !== undefined) positive(o.runs, '--runs');
positive(o.workers, '--workers');
const seeds = o.seeds.split(',').map((s) => {
  if (!/^\d+$/.test(s.trim())) usage(`--seeds: expected integers >= 0 separated by commas (got "${o.seeds}")`);
  return Number(s);
});
const strategies = o.strategies.split(',').map((s) => s.trim());
const badStrategy = strategies.find((s) => s !== 'guided' && s !== 'random');
if (badStrategy !== undefined) usage(`--strategies: expected guided, random or both separated by a comma (got "${badStrategy}")`);
const protocols = readdirSync(join(root, 'testdata/mutants'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
if (o.protocol !== undefined && !protocols.includes(o.protocol)) usage(`--protocol: no mutants for "${o.protocol}"; protocols with mutants: ${protocols.join(', ')}`);
const only = o.only?.split(',');
const mutants = loadMutants(join(root, 'testdata/mutants'), o.protocol).filter((m) => only === undefined || only.includes(m.name));
if (mutants.length === 0) usage(`no mutant matches --only ${o.only}; mutants: ${loadMutants(join(root, 'testdata/mutants'), o.protocol).map((m) => m.name).join(', ')}`);

/** A copy of what `faultline fuzz` needs, with the mutant applied. */
function prepare(m) {
  const dir = mkdtempSync(join(tmpdir(), `faultline-mutant-${m.name}-`));
  for (const part of ['sim', 'scenarios', 'bin', 'package.json', 'tsconfig.json']) cpSync(join(root, part), join(dir, part), { recursive: true });
  symlinkSync(realpathSync(join(root, 'node_modules')), join(dir, 'node_modules'));
  applyMutant(
    m,
    (f) => readFileSync(join(dir, f), 'utf8'),
    (f, text) => writeFileSync(join(dir, f), text),
  );
  return dir;
}

function fuzzOnce(dir, m, seed, strategy) {
  const args = [join(dir, 'bin/faultline.js'), 'fuzz', m.protocol, ...(o.runs !== undefined ? ['--runs', o.runs] : ['--time', o.time]), '--seed', String(seed), '--strategy', strategy, '--json', '--no-shrink', '--max-failures', '1', '--workers', o.workers, '--out', join(dir, 'out')];
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = (Date.now() - t0) / 1000;
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let j;
  try {
    j = JSON.parse(line);
  } catch {
    return { error: `exit ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}` };
  }
  const f = j.failures[0];
  return {
    found: f !== undefined,
    invariant: f?.invariant,
    runs: f !== undefined ? f.batch * j.batch_size + f.run + 1 : j.runs,
    // A campaign goes on to the end of its batch after a failure: seconds to the first failure as its share of runs.
    seconds: f !== undefined ? Number(((j.search_wall_s * (f.batch * j.batch_size + f.run + 1)) / Math.max(1, j.runs)).toFixed(1)) : undefined,
    totalRuns: j.runs,
    wall,
  };
}

const rows = [];
for (const m of mutants) {
  const dir = prepare(m);
  try {
    for (const seed of seeds) {
      for (const strategy of strategies) {
        const load = loadavg()[0].toFixed(1);
        const r = { mutant: m.name, protocol: m.protocol, seed, strategy, load, ...fuzzOnce(dir, m, seed, strategy) };
        rows.push(r);
        if (o.json) console.log(JSON.stringify(r));
        else if (r.error) console.log(`${m.protocol}/${m.name} seed ${seed} ${strategy}: ERROR ${r.error}`);
        else console.log(`${m.protocol}/${m.name} seed ${seed} ${strategy}: ${r.found ? `FOUND ${r.invariant} at run ${r.runs} (${r.seconds} s)` : `missed in ${r.runs} runs`} [load ${load}]`);
      }
    }
  } finally {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}
const missed = rows.filter((r) => !r.found);
if (!o.json) console.log(`${rows.length - missed.length} of ${rows.length} campaigns found their mutant`);
