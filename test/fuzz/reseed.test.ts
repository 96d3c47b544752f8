// The `reseed` timeline entry (sim/engine/config.ts, Rng.reseed): from its time on, every random
// stream of the run is re-forked with its salt. The run before it is unchanged (the trace is the
// same line for line up to it), the run after it differs for some seed, and the reseeded run is
// plain data that replays to the same hash.

import { describe, expect, it } from 'vitest';
import { rootRng } from '../../sim/engine/random.ts';
import { MemorySink } from '../../sim/engine/trace.ts';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { replayTrace } from '../../sim/fuzz/replay.ts';
import { InputError } from '../../sim/scenario/errors.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import type { ScenarioInput } from '../../sim/scenario/schema.ts';

const AT = 1_200_000;

type Timeline = NonNullable<NonNullable<ScenarioInput['faults']>['timeline']>;

function raft(seed: string, extra: Timeline = []): ScenarioInput {
  return {
    name: 'reseed-raft',
    description: 'raft with a crash, optionally reseeded',
    protocol: 'raft',
    seed,
    duration: '3s',
    network: { loss: 0.02 },
    faults: { timeline: [{ at: '600ms', kind: 'crash', node: 'n1' }, { at: '900ms', kind: 'restart', node: 'n1' }, ...extra] },
  };
}

function run(input: ScenarioInput): { text: string; events: TraceEvent[]; hash: string | undefined } {
  const sink = new MemorySink();
  const r = runPrepared(prepareRun(parseScenario(input)), { trace: sink });
  const text = sink.text();
  const lines = text.trim().split('\n').slice(1, -1);
  return { text, events: lines.map((l) => JSON.parse(l) as TraceEvent), hash: r.hash };
}

describe('Rng.reseed', () => {
  it('re-forks every stream of the family, forks made before and after alike', () => {
    const a = rootRng('s');
    const b = rootRng('s');
    const early = a.fork('x');
    expect(early.next()).toBe(b.fork('x').next());
    a.reseed('salt');
    b.reseed('salt');
    // A fork made before the reseed draws what one made after it draws: laziness changes nothing.
    const fresh = rootRng('s');
    fresh.reseed('salt');
    const x1 = early.next();
    expect(x1).toBe(b.fork('x').next());
    expect(x1).toBe(fresh.fork('x').next());
    // A different salt, or none, gives another stream.
    const other = rootRng('s');
    other.reseed('pepper');
    expect(other.fork('x').next()).not.toBe(x1);
    expect(rootRng('s').fork('x').next()).not.toBe(x1);
    // The same salt twice is two different reseeds.
    const twice = rootRng('s');
    twice.reseed('salt');
    const once = twice.fork('y').next();
    twice.reseed('salt');
    expect(twice.fork('y').next()).not.toBe(once);
  });
});

describe('the reseed timeline entry', () => {
  it('keeps the run before it, changes it after it for some seed, and is traced', () => {
    let differed = 0;
    for (const seed of ['1', '2', '3', '4']) {
      const plain = run(raft(seed));
      const branched = run(raft(seed, [{ at: AT, kind: 'reseed', salt: '77' }]));
      const before = (evs: TraceEvent[]): TraceEvent[] => evs.filter((e) => e.t < AT);
      expect(before(branched.events)).toEqual(before(plain.events));
      expect(before(plain.events).length).toBeGreaterThan(10);
      expect(branched.events.some((e) => e.type === 'log' && e.node === '*' && e.t === AT && e.text.startsWith('reseed 77'))).toBe(true);
      const after = (evs: TraceEvent[]): string[] => evs.filter((e) => e.t > AT).map((e) => JSON.stringify({ ...e, seq: 0 }));
      if (JSON.stringify(after(branched.events)) !== JSON.stringify(after(plain.events))) differed++;
    }
    expect(differed).toBeGreaterThan(0);
  });

  it('is deterministic and replays to the same hash', () => {
    const input = raft('9', [{ at: AT, kind: 'reseed', salt: 'abc' }]);
    const a = run(input);
    const b = run(input);
    expect(b.hash).toBe(a.hash);
    const replay = replayTrace(a.text);
    expect(replay.identical).toBe(true);
    expect(replay.replayedHash).toBe(a.hash);
    // Another salt is another run.
    expect(run(raft('9', [{ at: AT, kind: 'reseed', salt: 'abd' }])).hash).not.toBe(a.hash);
  });

  it('needs a salt (bad input, not a crash)', () => {
    expect(() => parseScenario(raft('1', [{ at: AT, kind: 'reseed' } as never]))).toThrow(InputError);
    expect(() => parseScenario(raft('1', [{ at: AT, kind: 'reseed', salt: '' }]))).toThrow(InputError);
  });
});
