// Bad scenario documents get one clear message: the file, the path inside it,
// and what was expected, for every kind of mistake the schema can meet.

import { describe, expect, it } from 'vitest';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

const base = { name: 'x', description: 'd', protocol: 'pingpong', duration: '1s' };

function errorOf(extra: Record<string, unknown>): string {
  try {
    parseScenario({ ...base, ...extra }, 'bad.json');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).describe();
  }
  throw new Error('expected an InputError');
}

describe('scenario schema errors', () => {
  it.each([
    [{ network: { latency: { kind: 'uniform', min: 'abc', max: 5 } } }, 'bad.json: network.latency.min: expected a duration'],
    [{ network: { latency: { kind: 'gaussian' } } }, 'bad.json: network.latency.kind: expected one of: constant, uniform, exponential, lognormal (got "gaussian")'],
    [{ faults: { timeline: [{ at: '1s', kind: 'crash' }] } }, 'bad.json: faults.timeline[0].node: missing: expected a string'],
    [{ expect: 'violation' }, 'bad.json: expect: expected "no-violation" or { "violation": "<checker name>" }'],
    [{ seed: 1.5 }, 'bad.json: seed: expected a seed: an integer or a non-empty string'],
    [{ duration: true }, 'bad.json: duration: expected a duration'],
    [{ network: { links: [{ from: 3, to: '*' }] } }, 'bad.json: network.links[0].from: expected a node id or "*"'],
    [{ network: { loss: 2 } }, 'bad.json: network.loss: expected a number at most 1 (got 2)'],
    [{ colour: 'red' }, 'bad.json: colour: unknown key; expected one of: '],
    [{ durration: '1s', duration: undefined }, 'bad.json: durration: unknown key; did you mean "duration"? (and 1 more problem)'],
    [{ network: { latncy: 3 } }, 'bad.json: network.latncy: unknown key; did you mean "latency"?'],
    [{ config: { nodez: 3 } }, 'bad.json: config.nodez: unknown key; did you mean "nodes"?'],
    [{ faults: { timeline: [{ at: '1ms', kind: 'crsh', node: 'n1' }] } }, 'bad.json: faults.timeline[0].kind: expected one of: crash, restart, pause, '],
    [{ faults: { timeline: [{ at: '1ms', kind: 'crsh', node: 'n1' }] } }, '(got "crsh"; did you mean "crash"?)'],
    [{ protocol: 'paxos' }, 'bad.json: protocol: unknown protocol "paxos"; expected one of: pingpong'],
    [{ config: { nodes: 0 } }, 'bad.json: config.nodes: expected a number at least 1 (got 0)'],
  ])('%j', (extra, prefix) => {
    expect(errorOf(extra)).toContain(prefix);
  });
});
