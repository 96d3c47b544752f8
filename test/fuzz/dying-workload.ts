// A workload module whose worker thread dies (process.exit in a worker thread ends that thread) on
// the fifth draw, once per marker file: `faultline fuzz --workload` must report the dead batch with
// the run it was on and go on with the others. The marker path comes from FAULTLINE_TEST_DIE_ONCE.
import fc from 'fast-check';
import { existsSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

let draws = 0;

/** Create the marker exclusively: of two workers reaching their fifth draw at once, only one dies. */
function claim(marker: string): boolean {
  try {
    writeFileSync(marker, 'died\n', { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}
export default fc.record({ nodes: fc.integer({ min: 2, max: 4 }) }).map((w) => {
  const marker = process.env.FAULTLINE_TEST_DIE_ONCE;
  if (!isMainThread && marker !== undefined && ++draws === 5 && !existsSync(marker) && claim(marker)) process.exit(7);
  return w;
});
