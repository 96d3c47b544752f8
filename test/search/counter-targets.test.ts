// The counter's `add-copy-pending` trigger (sim/protocols/counter/targets.ts): it fires at a replica that
// took a client's add while the network's copy of that add is still on its way to it, and nowhere else.

import { describe, expect, it } from 'vitest';
import type { JsonValue, SimView, TraceEvent } from '../../sim/engine/types.ts';
import { counterTriggers } from '../../sim/protocols/counter/targets.ts';

const view = (): SimView => ({ role: (id: string) => (id.startsWith('n') ? 'server' : 'client') }) as unknown as SimView;
const send = (id: number, from: string, to: string, msg: JsonValue): TraceEvent => ({ seq: id, t: 0, type: 'send', id, from, to, msg });
const dup = (id: number, of: number, from: string, to: string): TraceEvent => ({ seq: id, t: 0, type: 'duplicate', id, of, from, to });
const deliver = (id: number, from: string, to: string): TraceEvent => ({ seq: 100 + id, t: 0, type: 'deliver', id, from, to });
const drop = (id: number, from: string, to: string): TraceEvent => ({ seq: 100 + id, t: 0, type: 'drop', id, from, to, reason: 'crashed' });

const add = { type: 'add', id: 1, delta: 1 };
/** The node the trigger names for each event, in order (undefined: no occurrence). */
function fires(events: TraceEvent[], v: SimView = view()): (string | undefined)[] {
  const t = counterTriggers['add-copy-pending']!;
  return events.map((ev) => t.match(ev, v, undefined));
}

describe('counter trigger add-copy-pending', () => {
  it.each([
    ['original lands first: fires at the replica, once', [send(1, 'c1', 'n1', add), dup(2, 1, 'c1', 'n1'), deliver(1, 'c1', 'n1'), deliver(2, 'c1', 'n1')], [undefined, undefined, 'n1', undefined]],
    ['the copy lands first', [send(1, 'c1', 'n1', add), dup(2, 1, 'c1', 'n1'), deliver(2, 'c1', 'n1'), deliver(1, 'c1', 'n1')], [undefined, undefined, 'n1', undefined]],
    ['an add that was not copied', [send(1, 'c1', 'n1', add), deliver(1, 'c1', 'n1')], [undefined, undefined]],
    ['a copied gossip message', [send(1, 'n2', 'n1', { type: 'delta', deltas: [] }), dup(2, 1, 'n2', 'n1'), deliver(1, 'n2', 'n1'), deliver(2, 'n2', 'n1')], [undefined, undefined, undefined, undefined]],
    ['a copied answer to a client', [send(1, 'n1', 'c1', { type: 'add-ok', id: 1 }), dup(2, 1, 'n1', 'c1'), deliver(1, 'n1', 'c1'), deliver(2, 'n1', 'c1')], [undefined, undefined, undefined, undefined]],
    ['the first of the two dropped', [send(1, 'c1', 'n1', add), dup(2, 1, 'c1', 'n1'), drop(1, 'c1', 'n1'), deliver(2, 'c1', 'n1')], [undefined, undefined, undefined, undefined]],
  ] as const)('%s', (_, events, expected) => {
    expect(fires([...events])).toEqual([...expected]);
  });

  it('runs do not share pairs: a second simulation (view) with the same message ids starts empty', () => {
    const first = view();
    fires([send(1, 'c1', 'n1', add), dup(2, 1, 'c1', 'n1')], first);
    expect(fires([deliver(1, 'c1', 'n1')], view())).toEqual([undefined]);
    expect(fires([deliver(1, 'c1', 'n1')], first)).toEqual(['n1']);
  });
});
