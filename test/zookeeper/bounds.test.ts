// TigerBeetle's discipline for the zookeeper leader's session tables (server.ts `heard`,
// `closing`): bounded by the open sessions, pruned at every session tick, asserted. A client that
// crashes and restarts leaves a session to expire and opens a new one; before the pruning the
// leader kept the expired session's entries, and the assertion (heard <= open sessions) fires.

import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/fuzz/fuzz.ts';
import { parseScenario } from '../../sim/scenario/resolve.ts';

describe('zookeeper leader session tables', () => {
  it('stay within the open sessions while clients crash, restart and their old sessions expire', () => {
    const timeline = [];
    for (const [i, node] of ['c1', 'c2', 'c1', 'c3'].entries()) {
      timeline.push({ at: `${400 + i * 900}ms`, kind: 'crash' as const, node }, { at: `${500 + i * 900}ms`, kind: 'restart' as const, node });
    }
    const s = parseScenario({ name: 'zk-session-churn', description: 'clients crash and restart: sessions expire under one leader', protocol: 'zookeeper', duration: '5s', seed: 3, faults: { timeline }, expect: 'no-violation' });
    const r = runScenario(s, { trace: true });
    expect(r.violations.map((v) => `${v.invariant}: ${v.message}`)).toEqual([]);
    // The churn happened: sessions were closed by expiry under a leader (the case the tables used to keep).
    expect((r.trace ?? '').match(/expired: proposing close-session/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });
});
