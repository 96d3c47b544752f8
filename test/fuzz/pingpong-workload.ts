// A workload module for `faultline fuzz --workload`: pingpong with a drawn cluster size and token count.
import fc from 'fast-check';

export default fc.record({ nodes: fc.integer({ min: 2, max: 6 }), inFlight: fc.integer({ min: 1, max: 30 }) });
