// Every precondition a protocol asserts on its config is also a rule of its config
// schema: a config mistake is bad input naming the field (exit 2), never a hang and
// never an "assertion" violation. Data-driven for each rule, then a property: any
// config the schema accepts starts without an assertion.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';

function errorOf(protocol: string, config: Record<string, unknown>, duration = '1s'): string {
  try {
    parseScenario({ name: 'x', description: 'd', protocol, duration, config }, 'f.json');
  } catch (e) {
    if (e instanceof InputError) return e.describe();
    throw e;
  }
  return 'accepted';
}

describe('config rules: each precondition of a protocol is a schema rule naming the field', () => {
  it.each([
    // raft (RaftNode's constructor asserts the first two; the rest were silently ignored)
    ['raft', { heartbeat: 0 }, 'f.json: config.heartbeat: expected a positive duration'],
    ['raft', { electionTimeout: { min: '0ms', max: '0ms' } }, 'f.json: config.electionTimeout.min: the election timeout (min 0us) must be longer than the heartbeat (50ms)'],
    ['raft', { heartbeat: '100ms', electionTimeout: { min: '100ms', max: '200ms' } }, 'f.json: config.electionTimeout.min: the election timeout (min 100ms) must be longer than the heartbeat (100ms)'],
    ['raft', { electionTimeoutOf: { n2: { min: '40ms', max: '80ms' } } }, 'f.json: config.electionTimeoutOf.n2.min: the election timeout (min 40ms) must be longer than the heartbeat (50ms)'],
    ['raft', { electionTimeout: { min: '300ms', max: '200ms' } }, 'f.json: config.electionTimeout.max: max 200ms must be >= min 300ms'],
    ['raft', { servers: 3, electionTimeoutOf: { n4: { min: '1s', max: '2s' } } }, 'f.json: config.electionTimeoutOf.n4: no server "n4"; this cluster has n1, n2, n3 (servers: 3)'],
    ['raft', { servers: 2, preload: { n3: { term: 1, log: [1] } } }, 'f.json: config.preload.n3: no server "n3"; this cluster has n1, n2 (servers: 2)'],
    ['raft', { preload: { n1: { term: 1, votedFor: 'n9' } } }, 'f.json: config.preload.n1.votedFor: no server "n9"'],
    ['raft', { client: { requestTimeout: 0 } }, 'f.json: config.client.requestTimeout: expected a positive duration'],
    ['raft', { service: 'lock', lock: { ttl: 0 } }, 'f.json: config.lock.ttl: expected a positive duration'],
    ['raft', { client: { mix: { get: 0, put: 0, append: 0, cas: 0 } } }, 'f.json: config.client.mix: expected at least one operation with a positive weight'],
    // lock
    ['lock', { keepAlive: 0 }, 'f.json: config.keepAlive: expected a positive duration'],
    ['lock', { retry: 0 }, 'f.json: config.retry: expected a positive duration'],
    ['lock', { ttl: 0 }, 'f.json: config.ttl: expected a positive duration'],
    ['lock', { ttl: '100ms', margin: '100ms' }, 'f.json: config.margin: margin 100ms must be shorter than ttl 100ms'],
    // twopc
    ['twopc', { retryInterval: 0 }, 'f.json: config.retryInterval: expected a positive duration'],
    ['twopc', { resendInterval: 0 }, 'f.json: config.resendInterval: expected a positive duration'],
    ['twopc', { queryInterval: 0 }, 'f.json: config.queryInterval: expected a positive duration'],
    ['twopc', { voteTimeout: 0 }, 'f.json: config.voteTimeout: expected a positive duration'],
    ['twopc', { workTimeout: 0 }, 'f.json: config.workTimeout: expected a positive duration'],
    ['twopc', { clientTimeout: 0 }, 'f.json: config.clientTimeout: expected a positive duration'],
    // ring
    ['ring', { retransmit: 0 }, 'f.json: config.retransmit: expected a positive duration'],
    ['ring', { requestTimeout: 0 }, 'f.json: config.requestTimeout: expected a positive duration'],
    ['ring', { mode: 'ketama', servers: 3, spares: 1, changes: [{ at: '10ms', join: 'n4', weight: 200 }] }, 'f.json: config.changes[0].weight: after this change n1, n2, n3 get no points on the ketama continuum (n1: floor(1 / 203 x 40 x 4) = 0 digests)'],
    ['ring', { mode: 'ketama', servers: 3, spares: 1, changes: [{ at: '10ms', join: 'n4', weight: 130 }, { at: '20ms', leave: 'n3' }] }, 'f.json: config.changes[1].leave: after this change n1, n2 get no points on the ketama continuum'],
    ['ring', { servers: 3, replicas: 5 }, 'f.json: config.replicas: expected at most servers (3) replicas: a key lives on N distinct members of the ring, got 5'],
    ['ring', { replicas: 5, writeQuorum: 9 }, 'f.json: config.writeQuorum: expected at most replicas (5) copies, got 9'],
    ['ring', { mode: 'native', servers: 2, replicas: 2, spares: 1, changes: [{ at: '10ms', join: 'n3', weight: 10_000 }] }, 'f.json: config.changes[0].weight: weight 10000 gives 1600000 points (vnodes x weight); at most 1000000 per member'],
    // durations everywhere
    ['pingpong', {}, 'accepted'],
    ['pingpong', { inFlight: 1e9 }, 'f.json: config.inFlight: expected a number at most'],
  ] as const)('%s %j', (protocol, config, expected) => {
    expect(errorOf(protocol, config)).toContain(expected);
  });

  it('durations are safe integers of at most 365 days, however they are written', () => {
    for (const d of [1e300, 2 ** 53, '400000000s', '99999999999999999m', 365 * 86_400_000_001]) {
      expect(errorOf('pingpong', {}, d as string)).toContain('f.json: duration: duration out of range');
    }
    expect(errorOf('raft', { heartbeat: 1e300 })).toContain('f.json: config.heartbeat: duration out of range');
    expect(errorOf('pingpong', {}, '365d' as string)).toContain('expected a duration');
    expect(errorOf('pingpong', {}, 365 * 86_400_000_000 as unknown as string)).toBe('accepted');
  });
});

/** Build and run 30 ms of a config the schema accepted: no node may assert on its config. */
function startsCleanly(protocol: string, config: Record<string, unknown>): void {
  let run;
  try {
    run = prepareRun(parseScenario({ name: 'x', description: 'd', protocol, duration: '30ms', config }));
  } catch (e) {
    if (e instanceof InputError) return; // rejected as bad input: the rule did its job
    throw e;
  }
  const r = runPrepared(run, { hash: false });
  const asserted = r.violations.filter((v) => v.invariant === 'assertion' || v.invariant === 'exception');
  expect(asserted, JSON.stringify(config)).toEqual([]);
}

describe('property: a config the schema accepts never trips a protocol precondition', () => {
  const ms = (max: number) => fc.integer({ min: 0, max }).map((v) => v * 1000);
  const serverId = fc.integer({ min: 1, max: 6 }).map((i) => `n${i}`);

  it('raft: heartbeat, election timeouts, per-server timeouts and preloads', () => {
    const span = fc.tuple(ms(300), ms(300)).map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));
    const preload = fc.record({ term: fc.integer({ min: 0, max: 3 }), votedFor: fc.option(serverId, { nil: null }), log: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }).map((l) => l.sort()) }).map((p) => ({ ...p, term: Math.max(p.term, p.log.at(-1) ?? 0) }));
    fc.assert(
      fc.property(
        fc.record({ servers: fc.integer({ min: 1, max: 5 }), clients: fc.constant(1), heartbeat: ms(120), electionTimeout: span, electionTimeoutOf: fc.dictionary(serverId, span, { maxKeys: 2 }), preload: fc.dictionary(serverId, preload, { maxKeys: 2 }) }),
        (config) => startsCleanly('raft', config),
      ),
      { numRuns: 60 },
    );
  });

  it('ring: ketama and native weights through a plan of joins and leaves', () => {
    fc.assert(
      fc.property(
        fc.record({
          mode: fc.constantFrom('ketama', 'native'),
          servers: fc.integer({ min: 1, max: 4 }),
          weights: fc.array(fc.double({ min: 0.01, max: 500, noNaN: true }), { minLength: 1, maxLength: 2 }),
        }),
        ({ mode, servers, weights }) => {
          const changes = weights.map((w, i) => ({ at: (i + 1) * 5000, join: `n${servers + i + 1}`, weight: w }));
          startsCleanly('ring', { mode, servers, spares: weights.length, clients: 1, keys: 5, replicas: Math.min(3, servers), changes });
        },
      ),
      { numRuns: 40 },
    );
  });
});
