// Worker-thread entry for `faultline fuzz`: worker threads do not inherit the
// main thread's TypeScript loader, so register tsx here, then load the task.
import { register } from 'tsx/esm/api';

register();
const mod = await import('./worker-task.ts');
export default mod.default;
