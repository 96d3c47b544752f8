// Figure 2: "Updated on stable storage before responding to RPCs". A test-only
// checker watches every vote granted and every AppendEntries acknowledged, and
// looks at the sender's durable disk (what would survive a crash at that very
// moment): the vote and the acknowledged entries must already be there.

import { describe, expect, it } from 'vitest';
import type { Checker } from '../../sim/engine/types.ts';
import { parseScenario, prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import type { ScenarioInput } from '../../sim/scenario/schema.ts';
import { scenarioInput } from './run.ts';

function durableBeforeReply(): Checker & { votes: number; acks: number } {
  let problem: string | undefined;
  const c = {
    name: 'durable-before-reply',
    description: 'votes and acknowledged entries are durable when the reply is sent',
    when: 'always' as const,
    votes: 0,
    acks: 0,
    observe(ev: Parameters<NonNullable<Checker['observe']>>[0], view: Parameters<NonNullable<Checker['observe']>>[1]) {
      if (ev.type !== 'send' || problem) return;
      const msg = ev.msg as { type: string; granted?: boolean; pre?: boolean; term?: number; success?: boolean; matchIndex?: number };
      const disk = view.durable(ev.from);
      if (msg.type === 'vote-resp' && msg.granted && !msg.pre) {
        c.votes++;
        const hard = disk.get('raft/hard') as { term: number; votedFor: string | null } | undefined;
        if (hard === undefined || hard.term !== msg.term || hard.votedFor !== ev.to) problem = `${ev.from} granted its vote to ${ev.to} in term ${msg.term} with ${JSON.stringify(hard ?? null)} on disk`;
      }
      if (msg.type === 'append-resp' && msg.success && (msg.matchIndex ?? 0) > 0) {
        c.acks++;
        const snap = disk.get('raft/snap') as { index: number } | undefined;
        const key = `raft/log/${String(msg.matchIndex).padStart(10, '0')}`;
        if (!disk.has(key) && (snap?.index ?? 0) < (msg.matchIndex as number)) problem = `${ev.from} acknowledged entry ${msg.matchIndex} before it was durable`;
      }
    },
    check: () => problem,
  };
  return c;
}

function run(input: ScenarioInput, bugs: Record<string, boolean> = {}): { violations: string[]; votes: number; acks: number } {
  // The recovery oracle off: it sees the same unpersisted vote at the same step (test/search/recovery-oracle.test.ts); this checks durableBeforeReply.
  const prepared = prepareRun(parseScenario({ ...input, config: { ...(input.config ?? {}), bugs } }), { recovery: false });
  const c = durableBeforeReply();
  prepared.checkers = [...prepared.checkers, c];
  const r = runPrepared(prepared, { hash: false });
  return { violations: r.violations.map((v) => `${v.invariant}: ${v.message}`), votes: c.votes, acks: c.acks };
}

describe('Figure 2: persistent state is on stable storage before the reply', () => {
  it('in raft-leader-crash and raft-snapshot, every granted vote and every acknowledged entry is durable when the reply leaves', async () => {
    for (const name of ['raft-leader-crash', 'raft-snapshot']) {
      const r = run(await scenarioInput(name));
      expect(r.violations, name).toEqual([]);
      expect(r.votes, name).toBeGreaterThan(0);
      expect(r.acks, name).toBeGreaterThan(100);
    }
  });

  it('the planted bug notPersistingVotedFor is seen at the first vote it grants', async () => {
    const r = run(await scenarioInput('raft-leader-crash'), { notPersistingVotedFor: true });
    expect(r.violations[0]).toMatch(/^durable-before-reply: n\d granted its vote to n\d in term 1 with \{"term":1,"votedFor":null\} on disk$/);
  });
});

