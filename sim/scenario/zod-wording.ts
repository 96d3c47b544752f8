// Zod's validation issues in the command line's wording: one InputError naming the file, the place
// inside it and what was expected ("expected a number (got \"x\")", "missing: expected a string",
// "unknown key; did you mean ..."), never zod's own text ("Invalid input: expected number, received
// string"). Used for scenarios, protocol configs and every JSON file the CLI reads (fuzz reports).

import type { z } from 'zod';
import { InputError, formatPath } from './errors.ts';
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
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
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

/**
 * The first of `error`'s issues (a misspelt key first) as one InputError: `<file>: <prefix.path>: <what was expected>`.
 * `schema` lists the valid keys for "did you mean"; `doc` (the value validated) gives the "(got ...)" part.
 */
export function issuesToError(error: z.ZodError, file: string | undefined, prefix: readonly PropertyKey[], schema?: z.ZodType, doc?: unknown): InputError {
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
    // A field with its own error text (a duration, a union) that is absent: say it is missing, not bad. Not a
    // cross-field rule's (custom) issue: its field may be absent because it took its default (lock's margin).
    const parent = doc !== undefined && issue.path.length > 0 ? valueAt(doc, issue.path.slice(0, -1)) : undefined;
    const last = issue.path.at(-1);
    if (!missing && issue.code !== 'custom' && parent !== null && typeof parent === 'object' && !Array.isArray(parent) && (typeof last === 'string' || typeof last === 'number') && !Object.hasOwn(parent, last) && !/^missing/.test(message)) message = `missing: ${message}`;
    // A cross-field rule broken by a field the user left out: its value is the default (say so, it is not missing).
    if (issue.code === 'custom' && parent !== null && typeof parent === 'object' && !Array.isArray(parent) && typeof last === 'string' && !Object.hasOwn(parent, last)) message += ` (${last} was not given: that is its default)`;
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
