// Raft as a library: the reuse surface a protocol built ON Raft imports (the `faultline/raft`
// entry point of the package). Replicate your own state machine (a `StateMachineDefinition`,
// a `Service`) on Raft's servers with `raftServerNodes`, reuse Raft's config schema and its
// safety checkers (Figure 3 of the Raft paper), or talk to the servers with Raft's wire types.
// The ZooKeeper-like service (sim/protocols/zookeeper) and the counter's Raft design
// (sim/protocols/counter) import only this module of Raft, as a user's protocol would import
// `faultline/raft`. See sim/protocols/raft/README.md, "Running your own state machine on Raft".

export { raftConfig, raftProtocolCheckers, raftRecovery, raftServerIds, raftServerNodes, type RaftConfig } from './protocol.ts';
export { RaftServer, type RaftTimer, type ServerOptions } from './server.ts';
export type { StateMachineDefinition } from './machine.ts';
export type { RaftServerState } from './state.ts';
export type { ClientReply, ClientRequest, ServerMessage } from './types.ts';
export { kvService } from './kv.ts';
