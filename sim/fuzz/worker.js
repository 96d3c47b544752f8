// Worker-thread entry for `faultline fuzz` when it runs from the TypeScript sources: worker threads
// do not inherit the main thread's TypeScript loader, so register tsx here, then load the user's
// protocol modules the main thread loaded (workerData.protocolModules: absolute paths, see
// sim/cli/protocol-modules.ts), then the task. The built package has its own entry
// (dist/sim/fuzz/worker.js, written by scripts/postbuild.mjs) that needs no transform.
import { register } from 'tsx/esm/api';
import { workerData } from 'piscina';

register();
// A user module in this repository that imports `faultline` gets these sources (as bin/faultline.js does).
(await import('node:module')).register('../../bin/source-resolve.js', import.meta.url);
globalThis[Symbol.for('faultline.tsLoader')] = true;
const { loadProtocolModules, preloadWorkloads } = await import('../cli/protocol-modules.ts');
await loadProtocolModules(workerData?.protocolModules ?? []);
const mod = await import('./worker-task.ts');
await preloadWorkloads(mod, workerData?.workloadModules ?? []);
export default mod.default;
