// Parsers for command-line option values, for commander's `.option(flags,
// description, parser)`. Each returns the parsed value or throws commander's
// InvalidArgumentError with what was expected; main() prints that as one line
// ("faultline: run: option '--seed <seed>' argument '' is invalid: ...") and
// exits 2.

import { InvalidArgumentError } from 'commander';
import { canonicalSeed } from '../scenario/seed.ts';
import { InputError } from '../scenario/errors.ts';
import { parseDuration } from '../engine/time.ts';
import { MAX_DURATION } from '../api/durations.ts';

/** Longest accepted seed (characters): a seed is an identifier, not a document. */
export const MAX_SEED_LENGTH = 256;

/**
 * A simulation seed: 1-256 printable characters, not only spaces; text that spells an integer is
 * that integer in canonical decimal (canonicalSeed: `--seed 042` is `--seed 42`, in run, fuzz and a
 * scenario file's `seed` alike).
 */
export function parseSeed(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected a non-empty seed (any text or number, e.g. --seed 42)');
  if (value.length > MAX_SEED_LENGTH) throw new InvalidArgumentError(`expected a seed of at most ${MAX_SEED_LENGTH} characters (got ${value.length})`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) throw new InvalidArgumentError('expected a seed without control characters or line breaks');
  return canonicalSeed(value);
}

/**
 * A fuzz campaign's seed (fast-check's integer seed) from the same text `--seed` takes everywhere
 * (parseSeed): a non-negative integer is itself (so a printed campaign seed replays), any other
 * text is hashed (FNV-1a, 31 bits) to one, so `fuzz --seed abc` is accepted as `run --seed abc` is.
 */
export function campaignSeed(value: string): number {
  const text = parseSeed(value);
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  let h = 0x811c9dc5;
  for (const ch of new TextEncoder().encode(text)) h = Math.imul(h ^ ch, 0x01000193) >>> 0;
  return h & 0x7fffffff;
}

/** A positive integer such as 1000000 or 1_000_000 (up to Number.MAX_SAFE_INTEGER). */
export function parsePositiveInt(value: string): number {
  const n = /^\d[\d_]*$/.test(value) ? Number(value.replace(/_/g, '')) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer such as 1000 (got ${JSON.stringify(value)})`);
  return n;
}

/** An output file name: non-empty, no NUL byte (the path itself is checked when it is opened). */
export function parseOutputFile(value: string): string {
  if (value === '') throw new InvalidArgumentError('expected a file name');
  if (value.includes('\0')) throw new InvalidArgumentError('expected a file name without NUL bytes');
  return value;
}

/** parsePositiveInt, kept as the canonical decimal text (for option bags of strings such as BenchOptions). */
export function parsePositiveIntText(value: string): string {
  return String(parsePositiveInt(value));
}

/**
 * A duration option of any command (`fuzz --duration 10s`, `fuzz --time 5m`, `bench --budget 500ms`),
 * in µs: a number with a unit (us, µs, ms, s, m; "1.5s"), a whole number of µs. One rule for every
 * duration the command line takes: a bare number is refused, since a scenario file's bare number is
 * µs and `--duration 10` meant as 10 s would silently run 10 µs; only `0` needs no unit.
 * @param option the option's name for the error (`--duration`)
 * @param examples two durations the error suggests (default 10s and 10ms)
 * @throws InputError naming the option: one line, exit 2
 */
export function parseDurationOption(value: string, option: string, { positive = false, examples = ['10s', '10ms'] }: { positive?: boolean; examples?: readonly [string, string] } = {}): number {
  const text = value.trim();
  const bare = /^[+-]?\d+(\.\d+)?$/.test(text);
  if (bare && Number(text) !== 0) {
    const n = text.replace(/^\+/, '');
    throw new InputError(`the duration has no unit: expected a duration such as ${n}${examples[0].replace(/^[\d.]+/, '')} or ${n}${examples[1].replace(/^[\d.]+/, '')} (got "${value}")`, undefined, option);
  }
  const us = bare ? 0 : parseDuration(text);
  if (us === undefined || us < 0 || (positive && us === 0) || us > MAX_DURATION) {
    throw new InputError(`expected a duration such as ${examples[0]} or ${examples[1]} (units us, ms, s, m): ${positive ? 'positive' : 'not negative'}, a whole number of µs, at most 365 days (got "${value}")`, undefined, option);
  }
  return us;
}

/** parseDurationOption for commander's `.option(flags, description, parser)`, keeping the text (for option bags of strings such as BenchOptions). */
export function durationOptionText(option: string, opts: { positive?: boolean; examples?: readonly [string, string] } = {}): (value: string) => string {
  return (value) => {
    parseDurationOption(value, option, opts);
    return value.trim();
  };
}
