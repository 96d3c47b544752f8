// Small helpers the two-phase commit roles share: reading a log record from
// stable storage, and the asserting map lookup.

import { assert, type Io, type JsonValue } from '../../api/index.ts';

/**
 * Read a log record (`io.read`). Two-phase commit assumes stable storage, so a record that fails its
 * checksum (the engine throws `DiskCorruptionError`) is treated as lost, and said so in the trace.
 */
export function readStable<V extends JsonValue>(io: Pick<Io, 'read' | 'log'>, key: string): V | undefined {
  try {
    return io.read<V>(key);
  } catch (err) {
    if (err instanceof Error && err.name === 'DiskCorruptionError') {
      io.log(`${key} is corrupt: treated as lost (2PC assumes stable storage)`);
      return undefined;
    }
    throw err;
  }
}

/** `map.get(key)` for a key the caller knows is there: an `AssertionFailure` naming `what` if it is not. */
export function getOrFail<K, V>(map: ReadonlyMap<K, V>, key: K, what: string): V {
  const v = map.get(key);
  assert(v !== undefined, () => `${what}: no entry for ${String(key)}`);
  return v;
}
