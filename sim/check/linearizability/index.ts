// The linearizability checker's public API: models, the search, parsers, and a
// ready-made engine Checker for protocols.

export * from './models.ts';
export * from './checker.ts';
export { describeOperation, describeModelState } from './explain.ts';
export * from './parsers.ts';
export { linearizableChecker } from './engine-checker.ts';
export * from './generate.ts';
