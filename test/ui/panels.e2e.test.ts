// The protocol panels of issues 17 and 18 in a real browser: for each of
// zookeeper, redlock, saga, counter, mapreduce and mergesort, run one of its
// scenarios (the code `faultline run` runs), open the trace in the viewer, put
// the cursor on an event chosen from the trace, and check that the panel shows
// what the nodes published there (the expected text is computed here from the
// trace, independently of the panel's code).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TraceEvent } from '../../sim/engine/types.ts';
import { MemorySink } from '../../sim/engine/trace.ts';
import { loadScenario } from '../../sim/cli/scenarios.ts';
import { prepareRun } from '../../sim/scenario/resolve.ts';
import { runPrepared } from '../../sim/scenario/run.ts';
import { parseTrace } from '../../sim/trace/parse.ts';
import { HAVE_CHROMIUM, newPage, openTrace, startHarness, type Harness } from './browser.ts';

type State = Record<string, unknown>;
type StateEv = Extract<TraceEvent, { type: 'state' }>;
/** What to check: the cursor's event and, per data-testid, text the element must contain. */
interface Expectation {
  seq: number;
  contains: [string, string][];
}

const states = (evs: TraceEvent[]): StateEv[] => evs.filter((e): e is StateEv => e.type === 'state');
const lastState = (evs: TraceEvent[], node: string): State => states(evs).filter((e) => e.node === node).at(-1)!.state as State;

const CASES: { protocol: string; scenario: string; panel: string; expect: (evs: TraceEvent[]) => Expectation }[] = [
  {
    protocol: 'zookeeper',
    scenario: 'scenarios/zookeeper-happy.ts',
    panel: 'panel-zookeeper',
    expect: (evs) => {
      // The first time a client holds the lock: its name, session, znode and fencing token.
      const e = states(evs).find((x) => (x.state as State).phase === 'holding')!;
      const s = e.state as State;
      return { seq: e.seq, contains: [['zk-holder', `${e.node} holds the lock (znode ${String(s.node)}, session ${String(s.session)}, fencing token ${String(s.token)})`], [`zk-znode-${String(s.node)}`, `/lock/${String(s.node)}`], [`zk-client-${e.node}`, 'holding']] };
    },
  },
  {
    protocol: 'redlock',
    scenario: 'scenarios/redlock-happy.ts',
    panel: 'panel-redlock',
    expect: (evs) => {
      // The first holding: the client's value is the key's value on the masters that granted it.
      const e = states(evs).find((x) => (x.state as State).phase === 'holding')!;
      const s = e.state as State;
      const masters = s.masters as string[];
      return { seq: e.seq, contains: [[`redlock-client-${e.node}`, `holding\t${String(s.value)}\t${masters.length}/5`], ['redlock-masters', String(s.value)]] };
    },
  },
  {
    protocol: 'saga',
    scenario: 'scenarios/saga-happy.ts',
    panel: 'panel-saga',
    expect: (evs) => {
      // At the end: every saga's status, and its first step done (or compensated).
      const end = evs.at(-1)!.seq;
      const sagas = lastState(evs, 'o1').sagas as Record<string, { status: string; undone: number[] }>;
      const contains: [string, string][] = Object.entries(sagas).map(([id, v]) => [`saga-status-${id}`, v.status]);
      for (const [id, v] of Object.entries(sagas)) contains.push([`saga-step-${id}-0`, v.undone.includes(0) ? 'compensated' : 'done']);
      expect(contains.length).toBeGreaterThan(2);
      return { seq: end, contains };
    },
  },
  {
    protocol: 'counter',
    scenario: 'scenarios/counter-pn-happy.ts',
    panel: 'panel-counter',
    expect: (evs) => {
      // At the end: the sum of the acknowledged adds (from the client operations), and each replica's value.
      const values = new Map<string, number>();
      let sum = 0;
      for (const e of evs) {
        if (e.type === 'invoke' && e.f === 'add' && typeof e.value === 'number') values.set(`${e.process}/${e.op}`, e.value);
        if (e.type === 'return' && e.outcome === 'ok') sum += values.get(`${e.process}/${e.op}`) ?? 0;
      }
      const n1 = lastState(evs, 'n1');
      return { seq: evs.at(-1)!.seq, contains: [['counter-acked', `acknowledged sum: ${sum} `], ['counter-value-n1', String(n1.value)], ['counter-replica-n1', `[${(n1.entries as Record<string, [number, number]>).n1?.[0] ?? 0}`]] };
    },
  },
  {
    protocol: 'mapreduce',
    scenario: 'scenarios/mapreduce-happy.ts',
    panel: 'panel-mapreduce',
    expect: (evs) => {
      const m = lastState(evs, 'm') as { phase: string; maps: unknown[]; reduces: { workers: string[]; attempts: number }[]; commits: number[] };
      return { seq: evs.at(-1)!.seq, contains: [['mr-phase', `phase ${m.phase}; maps done ${m.maps.length}/${m.maps.length}`], ['mr-reduce-0', `done\t${m.reduces[0]!.workers.join(', ') || '—'}\t${m.reduces[0]!.attempts}\t${m.commits[0]}`]] };
    },
  },
  {
    protocol: 'mergesort',
    scenario: 'scenarios/mergesort-happy.ts',
    panel: 'panel-mergesort',
    expect: (evs) => {
      const m = lastState(evs, 'm') as { ranges: unknown[]; splitters: number[]; output: number[] };
      return { seq: evs.at(-1)!.seq, contains: [['ms-progress', `ranges merged ${m.ranges.length}/${m.ranges.length}; output ${m.output.length} keys`], ['ms-splitters', m.splitters.join(', ')], ['ms-range-0', `[−∞, ${m.splitters[0]})`]] };
    },
  },
];

describe.skipIf(!HAVE_CHROMIUM)('protocol panels in Chromium', () => {
  let h: Harness;
  const problems: string[] = [];
  let page: Page;
  beforeAll(async () => {
    h = await startHarness();
    page = await newPage(h, problems);
    await page.goto(h.base);
  });
  afterAll(async () => {
    await page?.close();
    await h?.close();
    expect(problems).toEqual([]);
  });

  it.each(CASES)('$protocol: $scenario shows $panel with what the nodes published', async ({ protocol, scenario, panel, expect: expectation }) => {
    const loaded = await loadScenario(scenario, { quiet: true });
    expect(loaded.scenario.protocol).toBe(protocol);
    const sink = new MemorySink();
    runPrepared(prepareRun(loaded.scenario, { file: loaded.file }), { trace: sink });
    const trace = sink.text();
    const { seq, contains } = expectation(parseTrace(trace).events);
    await openTrace(page, `${loaded.scenario.name}.jsonl`, trace);
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    expect(await page.locator('[data-testid=panel-state]').count(), 'not the generic panel').toBe(0);
    await page.evaluate((s) => (window as unknown as { __faultline: { store: { setCursor(n: number): void } } }).__faultline.store.setCursor(s), seq);
    for (const [testid, want] of contains) {
      const loc = page.locator(`[data-testid="${testid}"]`).first();
      await expect.poll(() => loc.innerText().catch(() => ''), { message: `${panel} ${testid} at #${seq}`, timeout: 10_000 }).toContain(want);
    }
    expect(await page.locator(`[data-testid=${panel}]`).count()).toBe(1);
  });
});
