// Re-export: the input errors live in sim/errors.ts (a shared module below every layer,
// so protocols and the engine can throw them without importing the scenario layer).
export { InputError, RunRefusedError, oneLine, formatPath } from '../errors.ts';
