// From a scenario document (TS module export, JSON file or trace header) to a
// run ready to start: validated, defaults filled, protocol config checked,
// node names checked, nemesis expanded into a timeline.

import type { z } from 'zod';
import type { EngineConfig, TimedFault } from '../engine/config.ts';
import { expandNemesis } from '../engine/nemesis.ts';
import { rootRng, seedToString } from '../engine/random.ts';
import { canonicalSeed } from './seed.ts';
import type { Checker, NodeSpec } from '../engine/types.ts';
import { getProtocol, protocolNames } from '../protocols/registry.ts';
import { checkScenario } from './checks.ts';
import { InputError, formatPath } from './errors.ts';
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
import { nearestName } from './names.ts';

/** The keys a schema accepts for the object at `path` (unions: every option's keys), or []. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; valueType?: z.ZodType; options?: z.ZodType[]; getter?: () => z.ZodType };
  const defOf = (t: z.ZodType): Def => (t as unknown as { _zod: { def: Def } })._zod.def;
  const unwrap = (t: z.ZodType): z.ZodType[] => {
    const d = defOf(t);
    if (d.innerType) return unwrap(d.innerType);
    if (d.type === 'pipe' && d.in) return unwrap(d.in);
    if (d.type === 'lazy' && d.getter) return unwrap(d.getter());
    if (d.options) return d.options.flatMap(unwrap);
    return [t];
  };
  let here = unwrap(schema);
  for (const seg of path) {
    here = here.flatMap((t) => {
      const d = defOf(t);
      if (d.type === 'object' && d.shape && typeof seg === 'string' && d.shape[seg]) return unwrap(d.shape[seg]);
      if (d.type === 'array' && d.element && typeof seg === 'number') return unwrap(d.element);
      if (d.type === 'record' && d.valueType) return unwrap(d.valueType);
      return [];
    });
  }
  return [...new Set(here.flatMap((t) => Object.keys(defOf(t).shape ?? {})))];
}

/** The value at `path` inside `doc`, if there is one. */
function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v = doc;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** zod's type names with an article: "a number", "an object". */
function withArticle(type: string): string {
  if (type === 'int') return 'a whole number';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** A value as the message shows it after "got": JSON for a scalar, its kind for the rest. */
function shown(v: unknown): string {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** One issue in the CLI's wording ("expected ... (got ...)"); a refinement's own message is kept as written. */
/** zod's "Invalid discriminator value. Expected 'a' | 'b'" or "Invalid option: expected one of \"a\"|\"b\"" as "expected one of: a, b"; undefined for other messages. */
function choiceWording(message: string): string | undefined {
  const m = /^(?:Invalid discriminator value\. Expected|Invalid option: expected one of) (.+)$/.exec(message);
  if (!m) return undefined;
  const values = [...(m[1] ?? '').matchAll(/'([^']*)'|"([^"]*)"/g)].map((v) => v[1] ?? v[2] ?? '');
  return values.length > 0 ? `expected one of: ${values.join(', ')}` : undefined;
}

function plainWording(issue: z.core.$ZodIssue, got: unknown): string {
  const size = (origin: string, n: number | bigint): string => (origin === 'string' ? `${n} characters` : `${n} items`);
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${withArticle(issue.expected)} (got ${shown(got)})`;
    case 'too_big': {
      const bound = issue.inclusive === false ? 'below' : 'at most';
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return `expected a number ${bound} ${issue.maximum} (got ${shown(got)})`;
      return `expected ${bound} ${size(issue.origin, issue.maximum)} (got ${Array.isArray(got) || typeof got === 'string' ? got.length : shown(got)})`;
    }
    case 'too_small': {
      const bound = issue.inclusive === false ? 'above' : 'at least';
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return `expected a number ${bound} ${issue.minimum} (got ${shown(got)})`;
      return `expected ${bound} ${size(issue.origin, issue.minimum)} (got ${Array.isArray(got) || typeof got === 'string' ? got.length : shown(got)})`;
    }
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor} (got ${shown(got)})`;
    default:
      // invalid_value / invalid_union / invalid_format: zod's text after its generic prefix; a list of
      // allowed values (a discriminator, an enum) reads as the command-line options' "expected one of: a, b".
      return choiceWording(issue.message) ?? issue.message.replace(/^(Invalid input|Invalid option|Invalid string|Invalid): /, '');
  }
}

function issuesToError(error: z.ZodError, file: string | undefined, prefix: readonly PropertyKey[], schema?: z.ZodType, doc?: unknown): InputError {
  // A misspelt key is the cause of the other problems it brings (a "missing" field): report it first.
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0];
  if (!issue) return new InputError('invalid scenario', file);
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  let message: string;
  if (issue.code === 'unrecognized_keys') {
    const valid = schema !== undefined ? keysAt(schema, issue.path) : [];
    message = issue.keys
      .map((k) => {
        // A key valid for another option of a union (another fault kind's field) is not misspelt: say it does not belong here.
        if (valid.includes(k)) return `unknown key "${k}" (a field of other entries, not allowed in this one)`;
        const near = nearestName(k, valid);
        return `unknown key "${k}"${near !== undefined ? `; did you mean "${near}"?` : valid.length > 0 ? `; expected one of: ${valid.join(', ')}` : ''}`;
      })
      .join('; ');
  } else {
    // One wording for each kind of mistake, the command-line options' ("expected ... (got ...)"),
    // never zod's own ("Invalid input: expected number, received string", "Too big: ...").
    const got0 = doc !== undefined ? valueAt(doc, issue.path) : undefined;
    const missing = issue.code === 'invalid_type' && got0 === undefined;
    message = missing ? `missing: expected ${withArticle(issue.expected)}` : plainWording(issue, got0);
    // A field with its own error text (a duration, a union) that is absent: say it is missing, not bad.
    const parent = doc !== undefined && issue.path.length > 0 ? valueAt(doc, issue.path.slice(0, -1)) : undefined;
    const last = issue.path.at(-1);
    if (!missing && parent !== null && typeof parent === 'object' && !Array.isArray(parent) && (typeof last === 'string' || typeof last === 'number') && !Object.hasOwn(parent, last) && !/^missing/.test(message)) message = `missing: ${message}`;
    // Say what was there (zod does not, for a bad literal, enum value or discriminator), and the
    // nearest allowed value. Only for those: a refinement's own message already names the value.
    const got = doc !== undefined ? valueAt(doc, issue.path) : undefined;
    const badChoice = issue.code === 'invalid_value' || issue.code === 'invalid_union';
    if (!missing && badChoice && got !== undefined && (typeof got === 'string' || typeof got === 'number' || typeof got === 'boolean') && !/received/.test(message)) {
      const allowed = [...issue.message.matchAll(/'([^']+)'|"([^"]+)"/g)].map((m) => m[1] ?? m[2] ?? '');
      const near = typeof got === 'string' ? nearestName(got, allowed.filter((a) => a !== got)) : undefined;
      message += ` (got ${JSON.stringify(got)}${near !== undefined ? `; did you mean "${near}"?` : ''})`;
    }
  }
  // One unknown key: point at the key itself.
  const at = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? [...issue.path, issue.keys[0] as string] : issue.path;
  if (issue.code === 'unrecognized_keys' && issue.keys.length === 1) message = message.replace(/^unknown key "[^"]*"/, 'unknown key');
  return new InputError(message + more, file, formatPath([...prefix, ...at]));
}

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

/** Build the protocol and check every node name the scenario uses. */
export function prepareRun(scenario: Scenario, opts: { seed?: string | number; file?: string } = {}): PreparedRun {
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

  let checkers = built.checkers;
  if (scenario.checkers) {
    const byName = new Map(built.checkers.map((c) => [c.name, c]));
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
