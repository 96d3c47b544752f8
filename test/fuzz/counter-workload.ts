// A workload module for `faultline fuzz --workload`: the toy counter with a drawn number of increments.
import fc from 'fast-check';

export default fc.record({ increments: fc.integer({ min: 1, max: 60 }) });
