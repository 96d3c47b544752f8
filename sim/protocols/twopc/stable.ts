// Reading a log record from stable storage, shared by the two-phase commit roles
// (the asserting map lookup is the API's getOrFail).

import type { Io, JsonValue } from '../../api/index.ts';

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

