// From a scenario document (TS module export, JSON file or trace header) to a
// run ready to start: validated, defaults filled, protocol config checked,
// node names checked, nemesis expanded into a timeline.

import type { EngineConfig, TimedFault } from '../engine/config.ts';
import { expandNemesis } from '../engine/nemesis.ts';
import { rootRng, seedToString } from '../engine/random.ts';
import { canonicalSeed } from './seed.ts';
import type { Checker, NodeSpec } from '../engine/types.ts';
import { getProtocol, protocolNames } from '../protocols/registry.ts';
import { RECOVERY_CHECKER, recoveryOracle } from '../api/recovery.ts';
import { checkScenario } from './checks.ts';
import { InputError } from './errors.ts';
import { checkFaultTimeline } from './faults.ts';
import { scenarioSchema, type Scenario } from './schema.ts';

export interface PreparedRun {
  scenario: Scenario;
  /** The scenario file, when known: named by errors found while the run runs. */
  file?: string;
  seed: string;
  nodes: NodeSpec[];
  checkers: Checker[];
  engine: EngineConfig;
  timeline: TimedFault[];
}

// "Did you mean" suggestions live in names.ts (no zod: `faultline list` and scenario lookup use them too).
export { nearestName } from './names.ts';
import { issuesToError } from './zod-wording.ts';

/** Validate a scenario document; throws InputError naming the file and the path inside it. */
export function parseScenario(doc: unknown, file?: string): Scenario {
  const r = scenarioSchema.safeParse(doc);
  if (!r.success) throw issuesToError(r.error, file, [], scenarioSchema, doc);
  const scenario = r.data;
  const protocol = getProtocol(scenario.protocol);
  if (!protocol) {
    throw new InputError(`unknown protocol "${scenario.protocol}"; expected one of: ${protocolNames().join(', ')}`, file, 'protocol');
  }
  const c = protocol.configSchema.safeParse(scenario.config);
  if (!c.success) throw issuesToError(c.error, file, ['config'], protocol.configSchema, scenario.config);
  checkScenario(scenario, file);
  return { ...scenario, config: c.data as Record<string, unknown> };
}

/**
 * Build the protocol and check every node name the scenario uses.
 * @param opts.recovery the protocol's recovery oracle (sim/api/recovery.ts) on or off, over the scenario's
 *   own `recovery` (default: on for a protocol that declares `recovery`, unless the scenario lists its
 *   checkers without "recovery" or says `recovery: false`).
 */
export function prepareRun(scenario: Scenario, opts: { seed?: string | number; file?: string; recovery?: boolean } = {}): PreparedRun {
  const file = opts.file;
  const seed = seedToString(canonicalSeed(opts.seed ?? scenario.seed));
  const protocol = getProtocol(scenario.protocol);
  if (!protocol) throw new InputError(`unknown protocol "${scenario.protocol}"`, file, 'protocol');
  const buildRng = rootRng(seed).fork('build');
  const built = protocol.build(scenario.config, { seed, duration: scenario.duration, stream: (name) => buildRng.fork(name) });
  const ids = new Set(built.nodes.map((n) => n.id));
  const known = [...ids].join(', ');
  const checkNode = (id: string, where: string): void => {
    if (!ids.has(id)) throw new InputError(`unknown node "${id}"; this cluster has: ${known}`, file, where);
  };

  checkFaultTimeline(scenario.faults.timeline, protocol, ids, file);
  for (const id of Object.keys(scenario.clocks)) checkNode(id, `clocks.${id}`);
  scenario.network.links.forEach((l, i) => {
    if (l.from !== '*') checkNode(l.from, `network.links[${i}].from`);
    if (l.to !== '*') checkNode(l.to, `network.links[${i}].to`);
  });
  scenario.faults.nemesis?.targets?.forEach((id, i, all) => {
    checkNode(id, `faults.nemesis.targets[${i}]`);
    const first = all.indexOf(id);
    if (first !== i) throw new InputError(`"${id}" is listed twice (also at targets[${first}]); list each node once`, file, `faults.nemesis.targets[${i}]`);
  });

  const oracleOn = protocol.recovery !== undefined && (opts.recovery ?? scenario.recovery ?? (scenario.checkers === undefined || scenario.checkers.includes(RECOVERY_CHECKER)));
  const offered = oracleOn && protocol.recovery ? [...built.checkers, recoveryOracle(built.nodes, protocol.recovery, seed, protocol.isolation === 'freeze')] : built.checkers;
  let checkers = offered;
  if (scenario.checkers) {
    const byName = new Map(offered.map((c) => [c.name, c]));
    checkers = scenario.checkers.map((name, i) => {
      const c = byName.get(name);
      if (!c) throw new InputError(`unknown checker "${name}"; ${scenario.protocol} has: ${[...byName.keys()].join(', ')}`, file, `checkers[${i}]`);
      return c;
    });
  }
  if (typeof scenario.expect === 'object') {
    const expected = scenario.expect.violation;
    const names = new Set([...checkers.map((c) => c.name), 'assertion', 'exception']);
    if (!names.has(expected)) throw new InputError(`expected violation "${expected}" is not a checker of this run; it has: ${[...names].join(', ')}`, file, 'expect.violation');
  }

  const servers = built.nodes.filter((n) => n.role === 'server').map((n) => n.id);
  const targets = servers.length > 0 ? servers : built.nodes.map((n) => n.id);
  const timeline: TimedFault[] = scenario.faults.timeline.map((f) => ({ ...f }) as TimedFault);
  if (scenario.faults.nemesis) {
    timeline.push(...expandNemesis(scenario.faults.nemesis, targets, scenario.duration, rootRng(seed).fork('nemesis')));
  }
  return {
    scenario,
    ...(file !== undefined ? { file } : {}),
    seed,
    nodes: built.nodes,
    checkers,
    engine: { network: scenario.network, clocks: scenario.clocks, disk: scenario.disk },
    timeline,
  };
}
