// Runs a scenario in a Web Worker with the same engine, protocols and scenario
// modules as the CLI (bundled from sim/ and scenarios/), writing the trace to a
// MemorySink; the page then loads that text as it would a file. Same scenario
// and seed, same bytes, same hash as `faultline run` in Node.

import { MemorySink } from '../../../sim/engine/trace.ts';
import { InputError } from '../../../sim/scenario/errors.ts';
import { parseScenario, prepareRun } from '../../../sim/scenario/resolve.ts';
import { runPrepared } from '../../../sim/scenario/run.ts';
import { drive } from './drive.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import { scenarioModules as modules } from './scenario-modules.ts';
import { baseName, describeError as describe } from './scenarios.ts';

async function load(file: string) {
  const key = Object.keys(modules).find((k) => baseName(k) === file);
  const loader = key ? modules[key] : undefined;
  if (!loader) throw new InputError('no such scenario in scenarios/', file);
  return parseScenario(await loader(), file);
}

function post(msg: FromWorker): void {
  (self as unknown as Worker).postMessage(msg);
}

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  try {
    if (msg.kind === 'branch') {
      // Same seed, the scenario as the trace recorded it plus one fault: the same run up to the fault, then the branch.
      const scenario = parseScenario(msg.scenario, `${String((msg.scenario as { name?: unknown }).name)}.json`);
      const prepared = prepareRun(scenario, { seed: msg.seed });
      const sink = new MemorySink();
      const t0 = performance.now();
      const result = runPrepared(prepared, { trace: sink });
      post({ kind: 'done', file: '', name: scenario.name, seed: prepared.seed, blob: new Blob(sink.lines, { type: 'application/x-ndjson' }), hash: result.hash ?? '', held: result.expectation.held, explanation: result.expectation.explanation, wallMs: performance.now() - t0, branch: { scenario: msg.scenario, label: msg.label, at: msg.at } });
      return;
    }
    if (msg.kind === 'drive') {
      // The branch's schedule on the stepping engine, then the scenario that replays it, run as `faultline run` runs it.
      const t0 = performance.now();
      const r = drive(msg.req);
      const scenario = parseScenario(r.scenario, `${String(r.scenario.name)}.json`);
      const prepared = prepareRun(scenario, { seed: msg.req.seed });
      const sink = new MemorySink();
      const result = runPrepared(prepared, { trace: sink });
      post({ kind: 'done', file: '', name: scenario.name, seed: prepared.seed, blob: new Blob(sink.lines, { type: 'application/x-ndjson' }), hash: result.hash ?? '', held: result.expectation.held, explanation: result.expectation.explanation, wallMs: performance.now() - t0, branch: { scenario: r.scenario, label: msg.label, at: msg.at }, step: { choices: r.choices, schedule: r.schedule, halted: r.halted } });
      return;
    }
    const scenario = await load(msg.file);
    const prepared = prepareRun(scenario, { file: msg.file, ...(msg.seed.trim() !== '' ? { seed: msg.seed.trim() } : {}) });
    const sink = new MemorySink();
    const t0 = performance.now();
    const result = runPrepared(prepared, { trace: sink });
    const wallMs = performance.now() - t0;
    post({ kind: 'done', file: msg.file, name: scenario.name, seed: prepared.seed, blob: new Blob(sink.lines, { type: 'application/x-ndjson' }), hash: result.hash ?? '', held: result.expectation.held, explanation: result.expectation.explanation, wallMs });
  } catch (err) {
    post({ kind: 'error', message: describe(err) });
  }
};
