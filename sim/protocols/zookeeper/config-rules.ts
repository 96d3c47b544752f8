// The zookeeper config's cross-field rules: every precondition the nodes rely on is
// a rule here, so a config mistake is bad input naming the field (exit 2), never a
// protocol violation (a 1 ms request timeout used to show up as lost lock progress,
// a 3 µs session timeout as a run that hung in session expiries).

import type { z } from 'zod';
import { durationText } from '../../api/durations.ts';

interface Fields {
  servers: number;
  electionTimeout: { min: number; max: number };
  electionTimeoutOf: Record<string, { min: number; max: number }>;
  heartbeat: number;
  sessionTimeout: number;
  tick: number;
  requestTimeout: number;
  margin: number;
  work: number;
}

/** A duration as the user writes it ("5ms", "1.5s"), not raw µs. */
const us = durationText;

export function zookeeperRules(c: Fields, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
  const servers = Array.from({ length: c.servers }, (_, i) => `n${i + 1}`);
  let e = c.electionTimeout;
  // Raft's own rules (sim/protocols/raft/protocol.ts): followers must hear a heartbeat before they time out.
  const span = (t: { min: number; max: number }, path: (string | number)[]): void => {
    if (t.max < t.min) issue([...path, 'max'], `must be >= min (${us(t.min)})`);
    if (t.min <= c.heartbeat) issue([...path, 'min'], `the election timeout (min ${us(t.min)}) must be longer than the heartbeat (${us(c.heartbeat)})`);
  };
  span(e, ['electionTimeout']);
  for (const [id, t] of Object.entries(c.electionTimeoutOf)) {
    if (!servers.includes(id)) issue(['electionTimeoutOf', id], `no server "${id}"; this cluster has ${servers.join(', ')} (servers: ${c.servers})`);
    span(t, ['electionTimeoutOf', id]);
    if (t.max > e.max) e = { min: e.min, max: t.max };
  }
  // A request is answered after a round of AppendEntries to a majority; the heartbeat is the
  // cluster's assumed round trip (Raft 5.6: broadcastTime << electionTimeout), so a request
  // timeout below it retries every request before it can be answered and nothing progresses.
  if (c.requestTimeout < c.heartbeat) issue(['requestTimeout'], `the request timeout (${us(c.requestTimeout)}) must be at least the heartbeat (${us(c.heartbeat)}): a request needs a round trip to a majority`);
  // A session must outlive a leader change: a new leader is elected within an election timeout
  // and the client finds it within a request timeout; a shorter session expires at every election.
  if (c.sessionTimeout <= e.max + c.requestTimeout) {
    issue(['sessionTimeout'], `the session timeout (${us(c.sessionTimeout)}) must be longer than electionTimeout.max + requestTimeout (${us(e.max + c.requestTimeout)}): sessions must outlive a leader election`);
  }
  if (c.tick > c.sessionTimeout) issue(['tick'], `the leader's session check interval (${us(c.tick)}) must not exceed the session timeout (${us(c.sessionTimeout)})`);
  if (c.margin + c.work >= c.sessionTimeout) issue(['margin'], `margin + work (${us(c.margin)} + ${us(c.work)}) must be shorter than sessionTimeout (${us(c.sessionTimeout)}): no write would ever fit in a session`);
}
