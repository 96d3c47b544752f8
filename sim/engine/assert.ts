// Assertions inside protocol and engine code. A failed assertion in a node's
// handler is caught by the engine and recorded as a violation named
// "assertion", with the message, so it shows up in the trace like any checker.

export class AssertionFailure extends Error {
  override name = 'AssertionFailure';
  /**
   * @param invariant the named property (a checker's name, e.g. "fenced-writes") this assertion guards:
   *   the engine reports the violation under that name instead of "assertion", so a defensive check
   *   that fires before its checker still names the property broken.
   */
  constructor(
    message: string,
    readonly invariant?: string,
  ) {
    super(message);
  }
}

/** Throw an AssertionFailure unless `condition`; `invariant`: the named property it guards (see AssertionFailure). */
export function assert(condition: unknown, message: string | (() => string), invariant?: string): asserts condition {
  if (!condition) throw new AssertionFailure(typeof message === 'function' ? message() : message, invariant);
}

/**
 * `map.get(key)`, asserting that the key is there (TigerBeetle's discipline: a lookup the code
 * relies on is checked, not cast with `!` or `as`). `what` names the map for the message
 * ("timer generation of n1"); the failure is an AssertionFailure like any broken invariant.
 */
export function getOrFail<K, V>(map: ReadonlyMap<K, V>, key: K, what: string): V {
  const v = map.get(key);
  if (v === undefined && !map.has(key)) throw new AssertionFailure(`${what}: no entry for ${String(key)}`);
  return v as V;
}

/** `array[i]`, asserting that the index is in range (same discipline as getOrFail, for dense arrays). */
export function atOrFail<T>(array: readonly T[], i: number, what: string): T {
  const v = array[i];
  if (v === undefined && !(Number.isInteger(i) && i >= 0 && i < array.length)) throw new AssertionFailure(`${what}: index ${i} out of range 0..${array.length - 1}`);
  return v as T;
}
