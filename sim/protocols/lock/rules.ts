// Step rule of the fenced resource: the highest fencing token it accepted never goes down, across
// its restarts.
//
// Kleppmann, "How to do distributed locking" (2016): the storage service checks each write's token
// against the highest it has processed and rejects lower ones; that highest must survive the
// storage's own crash, or a client that lost its lock without knowing writes again with its old
// token after the restart. `fenced-writes` sees the damage only when such a stale writer also
// writes after the restart (a pause of the old holder, a new holder's write and a crash of the
// resource, in that order); this rule sees the forgetting itself, at the restart. Sound: the
// resource fsyncs a higher token before it acknowledges the write and publishes after it
// (resource.ts), so what it published is on its disk.

import { published, type Checker } from '../../api/index.ts';
import type { LockResourceState } from './state.ts';

/**
 * `fence-monotonic`: the resource's published `highestToken` never decreases, across its restarts.
 * Reads only what the resource publishes. Cost: O(1) per step of the resource (or fault step).
 */
export function fenceMonotonicRule(resource: string): Checker {
  let highest = 0;
  return {
    name: 'fence-monotonic',
    description: "the protected resource's highest accepted fencing token never goes down, across its restarts (Kleppmann 2016: the fence must be durable)",
    when: 'always',
    onChange: true, // reads only what the resource publishes
    check(view) {
      if (view.actor !== undefined && view.actor !== resource) return undefined;
      const s = published<LockResourceState>(view, resource);
      if (s === undefined) return undefined;
      if (s.highestToken < highest) return `${resource} published highest token ${s.highestToken} after ${highest}: it forgot a fencing token it had accepted (a restart without the fsynced fence?)`;
      highest = s.highestToken;
      return undefined;
    },
  };
}
