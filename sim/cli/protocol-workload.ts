// A workload module (default export: a fast-check arbitrary of config patches)
// for a protocol's own default fuzz workload, named in the URL's query:
// `.../protocol-workload.ts?protocol=raft` (`&base=1`: its pre-issue-11 base
// workload, what the `random` strategy draws). `faultline fuzz` hands this URL to
// its worker threads, which load workloads from modules (arbitraries do not
// cross threads).

import { getProtocol } from '../protocols/registry.ts';

const name = new URL(import.meta.url).searchParams.get('protocol') ?? '';
const base = new URL(import.meta.url).searchParams.get('base') === '1';
const def = getProtocol(name);
const workload = base ? (def?.fuzzWorkloadBase ?? def?.fuzzWorkload) : def?.fuzzWorkload;
if (!workload) throw new Error(`protocol "${name}" has no default fuzz workload`);

export default workload;
