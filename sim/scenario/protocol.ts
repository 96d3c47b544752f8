// Moved to the public protocol API (sim/api/protocol.ts); kept so older imports resolve.
export * from '../api/protocol.ts';
