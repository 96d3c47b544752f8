// The one reading of a seed (no dependencies: the CLI's option parser loads it at start-up).

/**
 * A seed as every part of Faultline reads it (a scenario's `seed`, `--seed` of run and fuzz,
 * runScenario's option): surrounding spaces are not part of it, and text that spells an integer is
 * that integer in canonical decimal (`"042"`, `" 42 "`, `"+42"` and `42` are one seed; `"-0"` is
 * `"0"`); other text is itself. A number is kept.
 */
export function canonicalSeed<S extends string | number>(seed: S): S {
  if (typeof seed === 'number') return seed;
  const text = seed.trim();
  return (/^[+-]?\d+$/.test(text) ? BigInt(text).toString() : text) as S;
}
